namespace LyftServing.LightGbm.Tests.TestSupport;

/// <summary>A model store in a temporary directory, filled with copies of the fixture models or files of a test's own.</summary>
public sealed class TempStore : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("lyftserving-lightgbm-").FullName;

    /// <summary>Adds a version of <paramref name="model"/> with a copy of a fixture's files (model.txt, and optionally model.json and testdata.json).</summary>
    public string AddVersion(string model, string version, string fixture, bool runtime = true, bool testData = true) =>
        AddFiles(model, version, new Dictionary<string, string>
        {
            ["model.txt"] = File.ReadAllText(Fixtures.ModelFile(fixture)),
            ["model.json"] = runtime ? """{"runtime": "lightgbm"}""" : null!,
            ["testdata.json"] = testData ? File.ReadAllText(Path.Combine(Fixtures.VersionDirectory(fixture), "testdata.json")) : null!,
        });

    /// <summary>Adds a version with the given files (a null content leaves the file out); written next to the store and moved in, so no half-written version is seen.</summary>
    public string AddFiles(string model, string version, IReadOnlyDictionary<string, string> files)
    {
        var staging = Path.Combine(Root, ".staging-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        foreach (var (name, content) in files)
        {
            if (content is not null)
            {
                File.WriteAllText(Path.Combine(staging, name), content);
            }
        }

        var target = Path.Combine(Root, model, version);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
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
