using System.Globalization;

namespace LyftServing.Tests.TestModels;

/// <summary>A model store in a temporary directory, with helpers to publish versions the way users do.</summary>
public sealed class TempStore : IDisposable
{
    public TempStore()
    {
        Root = Directory.CreateTempSubdirectory("lyftserving-store-").FullName;
    }

    public string Root { get; }

    /// <summary>Publishes a version atomically: writes it beside the store, then renames it into place.</summary>
    public string AddVersion(string model, string version, double weight, string? testData = null, string? failWith = null, string? manifest = null)
    {
        var files = new Dictionary<string, string> { ["weight.txt"] = weight.ToString(CultureInfo.InvariantCulture) };
        if (testData is not null)
        {
            files[ModelArtifact.TestDataFileName] = testData;
        }

        if (failWith is not null)
        {
            files["fail.txt"] = failWith;
        }

        if (manifest is not null)
        {
            files[ModelArtifact.ManifestFileName] = manifest;
        }

        return AddFiles(model, version, files);
    }

    public string AddFiles(string model, string version, IReadOnlyDictionary<string, string> files)
    {
        var staging = Path.Combine(Root, ".staging-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        foreach (var (path, content) in files)
        {
            File.WriteAllText(Path.Combine(staging, path), content);
        }

        var target = Path.Combine(Root, model, version);
        Directory.CreateDirectory(Path.Combine(Root, model));
        Directory.Move(staging, target);
        return target;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
