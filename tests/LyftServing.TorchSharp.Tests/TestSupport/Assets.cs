using System.Text.Json.Nodes;

namespace LyftServing.TorchSharp.Tests.TestSupport;

/// <summary>The test models (tests/assets): TorchScript versions, their ONNX twins, and the shared fixtures' expected outputs computed by PyTorch.</summary>
public static class Assets
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "assets");

    /// <summary>The version folder of a TorchScript test model (model.pt, model.json, testdata.json).</summary>
    public static string TorchScript(string model) => Path.Combine(Root, "torchscript", model, "1");

    /// <summary>The version folder of an ONNX test model (model.onnx, model.json, testdata.json).</summary>
    public static string Onnx(string model) => Path.Combine(Root, "models", model, "1");

    /// <summary>The cases of the shared fixture's {model}.testdata.json: <c>{"features": [...], "score": …}</c>.</summary>
    public static IReadOnlyList<JsonObject> FixtureCases(string model) =>
        [.. JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "fixtures", model + ".testdata.json")))!.AsArray().Select(n => n!.AsObject())];

    /// <summary>The name of the output of tabular_mlp (score) and bench_mlp (output).</summary>
    public static string OutputName(string model) => model == "tabular_mlp" ? "score" : "output";

    public static float[] Floats(JsonNode node) => [.. node.AsArray().Select(n => n!.GetValue<float>())];
}
