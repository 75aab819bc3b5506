
namespace LyftServing.OnnxRuntime.Tests.TestSupport;

/// <summary>Fills a <see cref="TempStore"/> with copies of the ONNX fixture models.</summary>
internal static class TempStoreVersions
{
    /// <summary>Adds a version of <paramref name="model"/> made from a fixture's ONNX file.</summary>
    /// <param name="store">The store.</param>
    /// <param name="model">The model name (the folder).</param>
    /// <param name="version">The version.</param>
    /// <param name="fixture">The fixture model whose model.onnx to copy.</param>
    /// <param name="testData">The testdata.json content, or null for none.</param>
    /// <param name="runtime">Whether to write model.json with {"runtime": "onnx"}.</param>
    public static string AddVersion(this TempStore store, string model, string version, string fixture, string? testData = null, bool runtime = false) =>
        store.Add(model, version, staging =>
        {
            File.Copy(Fixtures.OnnxPath(fixture), Path.Combine(staging, "model.onnx"));
            if (testData is not null)
            {
                File.WriteAllText(Path.Combine(staging, "testdata.json"), testData);
            }

            if (runtime)
            {
                File.WriteAllText(Path.Combine(staging, "model.json"), """{"runtime": "onnx"}""");
            }
        });
}
