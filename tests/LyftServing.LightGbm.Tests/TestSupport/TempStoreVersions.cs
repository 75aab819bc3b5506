
namespace LyftServing.LightGbm.Tests.TestSupport;

/// <summary>Fills a <see cref="TempStore"/> with copies of the LightGBM fixture models.</summary>
internal static class TempStoreVersions
{
    /// <summary>Adds a version of <paramref name="model"/> with a copy of a fixture's files (model.txt, and optionally model.json and testdata.json).</summary>
    public static string AddVersion(this TempStore store, string model, string version, string fixture, bool runtime = true, bool testData = true) =>
        store.AddFiles(model, version, new Dictionary<string, string>
        {
            ["model.txt"] = File.ReadAllText(Fixtures.ModelFile(fixture)),
            ["model.json"] = runtime ? """{"runtime": "lightgbm"}""" : null!,
            ["testdata.json"] = testData ? File.ReadAllText(Path.Combine(Fixtures.VersionDirectory(fixture), "testdata.json")) : null!,
        });
}
