using TorchSharp;

namespace LyftServing.TorchSharp.Tests.TestSupport;

/// <summary>
/// A TorchSharp module (y = 2x) that records what each forward call saw (autograd, inference mode,
/// intra-op threads, rows), can hold a call until released, and records its disposal.
/// </summary>
public sealed class ProbeNet : torch.nn.Module<torch.Tensor, torch.Tensor>
{
    public ProbeNet()
        : base(nameof(ProbeNet))
    {
    }

    public ManualResetEventSlim Entered { get; } = new();

    public ManualResetEventSlim? Hold { get; set; }

    public bool? GradEnabled { get; private set; }

    public bool? InferenceMode { get; private set; }

    public int Threads { get; private set; }

    public List<long> Rows { get; } = [];

    public bool IsDisposed { get; private set; }

    public override torch.Tensor forward(torch.Tensor input)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        GradEnabled = torch.is_grad_enabled();
        InferenceMode = torch.is_inference_mode_enabled();
        Threads = torch.get_num_threads();
        lock (Rows)
        {
            Rows.Add(input.shape[0]);
        }

        Entered.Set();
        Hold?.Wait(TimeSpan.FromSeconds(30));
        return input * 2;
    }

    protected override void Dispose(bool disposing)
    {
        IsDisposed = true;
        base.Dispose(disposing);
    }
}

/// <summary>Model code over one <see cref="ProbeNet"/> (registered as a singleton): float in, float out.</summary>
public sealed class ProbeModel(IModelSettings<TorchSharpSettings> settings, ProbeNet net) : TorchSharpModel<float, float>(settings)
{
    protected override torch.nn.IModule<torch.Tensor, torch.Tensor> LoadModule(ModelArtifact artifact, torch.Device device) => net;

    protected override torch.Tensor CreateInput(ReadOnlySpan<float> features) => torch.tensor(features.ToArray(), [features.Length, 1]);

    protected override void ReadOutput(torch.Tensor output, Span<float> outputs) => output.data<float>().CopyTo(outputs);
}

/// <summary>Typed model code over a TorchScript file (the base's default <c>LoadModule</c>): tabular_mlp and bench_mlp.</summary>
public sealed class TabularModel(IModelSettings<TorchSharpSettings> settings) : TorchSharpModel<float[], float>(settings)
{
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
