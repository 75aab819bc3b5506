namespace LyftServing.OnnxRuntime.Tests.TestSupport;

/// <summary>A model store in a temporary directory, filled with copies of the fixture models.</summary>
public sealed class TempStore : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("lyftserving-onnx-").FullName;

    /// <summary>Adds a version of <paramref name="model"/> made from a fixture's ONNX file.</summary>
    /// <param name="model">The model name (the folder).</param>
    /// <param name="version">The version.</param>
    /// <param name="fixture">The fixture model whose model.onnx to copy.</param>
    /// <param name="testData">The testdata.json content, or null for none.</param>
    /// <param name="runtime">Whether to write model.json with {"runtime": "onnx"}.</param>
    public string AddVersion(string model, string version, string fixture, string? testData = null, bool runtime = false)
    {
        // Written next to the store and moved in, as the store's docs ask, so no half-written version is seen.
        var staging = Path.Combine(Root, ".staging-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        File.Copy(Fixtures.OnnxPath(fixture), Path.Combine(staging, "model.onnx"));
        if (testData is not null)
        {
            File.WriteAllText(Path.Combine(staging, "testdata.json"), testData);
        }

        if (runtime)
        {
            File.WriteAllText(Path.Combine(staging, "model.json"), """{"runtime": "onnx"}""");
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
