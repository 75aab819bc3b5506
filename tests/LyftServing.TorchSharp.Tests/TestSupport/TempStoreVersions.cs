
namespace LyftServing.TorchSharp.Tests.TestSupport;

/// <summary>Fills a <see cref="TempStore"/> with versions copied from the test models and changed as a test needs.</summary>
internal static class TempStoreVersions
{
    /// <summary>Adds a version of <paramref name="model"/> with the files of a version folder (or one placeholder file), then lets <paramref name="change"/> edit them before the version appears.</summary>
    public static string AddVersion(this TempStore store, string model, string version, string? from, Action<string>? change = null) =>
        store.Add(model, version, staging =>
        {
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
        });
}
