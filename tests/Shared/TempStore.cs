namespace LyftServing.Tests.Shared;

/// <summary>
/// A model store in a temporary directory. Versions are written beside the store and moved in, as the
/// store's docs ask, so the host never sees a half-written version. Linked into the Core and adapter
/// tests; each adds its own <c>AddVersion</c> (weights, fixture models, TorchScript folders) on top.
/// </summary>
internal sealed class TempStore : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("lyftserving-store-").FullName;

    /// <summary>Adds a version whose files <paramref name="write"/> puts in the staging folder it is given.</summary>
    public string Add(string model, string version, Action<string> write)
    {
        var staging = Path.Combine(Root, ".staging-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        write(staging);
        var target = Path.Combine(Root, model, version);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        Directory.Move(staging, target);
        return target;
    }

    /// <summary>Adds a version with the given files, by name and text; a null content leaves the file out.</summary>
    public string AddFiles(string model, string version, IReadOnlyDictionary<string, string> files) =>
        Add(model, version, staging =>
        {
            foreach (var (name, content) in files)
            {
                if (content is not null)
                {
                    File.WriteAllText(Path.Combine(staging, name), content);
                }
            }
        });

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
