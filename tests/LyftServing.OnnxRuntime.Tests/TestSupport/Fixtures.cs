using System.Text.Json;
using System.Text.Json.Nodes;

namespace LyftServing.OnnxRuntime.Tests.TestSupport;

/// <summary>The fixture models (tests/assets) and their expected outputs, as computed by PyTorch.</summary>
public static class Fixtures
{
    public static string ModelsRoot { get; } = Path.Combine(AppContext.BaseDirectory, "assets", "models");

    public static string OnnxPath(string model) => Path.Combine(ModelsRoot, model, "1", "model.onnx");

    /// <summary>The name of each fixture model's output.</summary>
    public static string OutputName(string model) => model switch
    {
        "tabular_mlp" => "score",
        "mixed_inputs" => "y",
        "bench_mlp" => "output",
        _ => throw new ArgumentOutOfRangeException(nameof(model)),
    };

    /// <summary>The cases of assets/fixtures/{model}.testdata.json, in their original shape: inputs and output per case.</summary>
    public static IReadOnlyList<JsonObject> Cases(string model)
    {
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "assets", "fixtures", model + ".testdata.json"));
        return [.. JsonNode.Parse(json)!.AsArray().Select(n => n!.AsObject())];
    }

    public static float Expected(string model, JsonObject testCase) => testCase[OutputName(model)]!.GetValue<float>();

    public static float[] Floats(JsonNode node) => [.. node.AsArray().Select(n => n!.GetValue<float>())];

    /// <summary>The typed features of a case for tabular_mlp and bench_mlp.</summary>
    public static TabularFeatures Tabular(JsonObject testCase) => new(Floats(testCase["features"]!));

    public static MixedFeatures Mixed(JsonObject testCase) => new(Floats(testCase["x"]!), testCase["category"]!.GetValue<long>());

    /// <summary>The JSON features of a case for the onnx runtime: each input as a batch of one row.</summary>
    public static JsonElement JsonFeatures(string model, JsonObject testCase)
    {
        var features = new JsonObject();
        foreach (var (name, value) in testCase)
        {
            if (name != OutputName(model))
            {
                features[name] = new JsonArray(value is JsonArray ? value.DeepClone() : new JsonArray(value!.DeepClone()));
            }
        }

        return JsonSerializer.SerializeToElement(features);
    }

    /// <summary>A testdata.json for a typed model whose features record has the fixture's input names as properties.</summary>
    public static string TypedTestData(string model) =>
        new JsonArray([.. Cases(model).Select(c =>
        {
            var features = new JsonObject();
            foreach (var (name, value) in c)
            {
                if (name != OutputName(model))
                {
                    features[name] = value!.DeepClone();
                }
            }

            return (JsonNode)new JsonObject { ["features"] = features, ["expected"] = c[OutputName(model)]!.DeepClone(), ["tolerance"] = 1e-5 };
        })]).ToJsonString();
}
