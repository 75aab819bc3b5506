using TorchSharp;

namespace LyftServing.TorchSharp.Benchmarks;

/// <summary>
/// Typed model code over a TorchScript file (tabular_mlp, bench_mlp): one row of floats in, the
/// first output value out. It keeps the module it loads, so the raw benchmark calls the very same one.
/// </summary>
public sealed class TabularTorchModel(IModelSettings<TorchSharpSettings> settings) : TorchSharpModel<float[], float>(settings)
{
    /// <summary>Gets the module of the last version loaded.</summary>
    public static torch.nn.IModule<torch.Tensor, torch.Tensor>? LastLoaded { get; private set; }

    protected override torch.nn.IModule<torch.Tensor, torch.Tensor> LoadModule(ModelArtifact artifact, torch.Device device) =>
        LastLoaded = base.LoadModule(artifact, device);

    protected override torch.Tensor CreateInput(ReadOnlySpan<float[]> features)
    {
        var width = features[0].Length;
        var rows = new float[features.Length * width];
        for (var i = 0; i < features.Length; i++)
        {
            features[i].CopyTo(rows, i * width);
        }

        return torch.tensor(rows, [features.Length, width]);
    }

    protected override void ReadOutput(torch.Tensor output, Span<float> outputs) => output.data<float>().CopyTo(outputs);
}
