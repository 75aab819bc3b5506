namespace LyftServing.TorchSharp.Tests.TestSupport;

/// <summary>A model store in a temporary directory, with versions copied from the test models and changed as a test needs.</summary>
public sealed class TempStore : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("lyftserving-torch-").FullName;

    /// <summary>Adds a version of <paramref name="model"/> with the files of a version folder (or one placeholder file), then lets <paramref name="change"/> edit them before the version appears.</summary>
    public string AddVersion(string model, string version, string? from, Action<string>? change = null)
    {
        // Staged next to the store and moved in, so the host never sees a half-written version.
        var staging = Path.Combine(Root, ".staging-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        if (from is null)
        {
            File.WriteAllText(Path.Combine(staging, "version.txt"), version);
        }
        else
        {
            foreach (var file in Directory.EnumerateFiles(from))
            {
                File.Copy(file, Path.Combine(staging, Path.GetFileName(file)));
            }
        }

        change?.Invoke(staging);
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
