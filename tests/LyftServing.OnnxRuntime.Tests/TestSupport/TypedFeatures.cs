namespace LyftServing.OnnxRuntime.Tests.TestSupport;

/// <summary>Features of tabular_mlp (8 floats) and bench_mlp (64 floats).</summary>
public sealed record TabularFeatures(float[] Features);

/// <summary>Features of mixed_inputs: x (4 floats) and a category.</summary>
public sealed record MixedFeatures(float[] X, long Category);

/// <summary>The typed mappings of the fixture models, as a user would write them.</summary>
public static class Mappings
{
    public static void Tabular(OnnxMappingBuilder<TabularFeatures, float> onnx) => onnx
        .MapInput<float>("features", (features, row) => features.Features.CopyTo(row))
        .MapOutput<float>("score", row => row[0]);

    public static void Bench(OnnxMappingBuilder<TabularFeatures, float> onnx) => onnx
        .MapInput<float>("features", (features, row) => features.Features.CopyTo(row))
        .MapOutput<float>("output", row => row[0]);

    public static void Mixed(OnnxMappingBuilder<MixedFeatures, float> onnx) => onnx
        .MapInput<float>("x", (features, row) => features.X.CopyTo(row))
        .MapInput<long>("category", (features, row) => row[0] = features.Category)
        .MapOutput<float>("y", row => row[0]);
}
