using BenchmarkDotNet.Attributes;

namespace LyftServing.Benchmarks;

/// <summary>
/// What a shadow costs the caller: <c>PredictAsync</c> of <c>bench_mlp</c> (ONNX, ~6 µs) with no
/// shadow, and with a second version shadowing every call (sample rate 1). The shadow runs the same
/// model on the background queue; the caller pays the sampling decision and the enqueue.
/// </summary>
public class ShadowOverheadBenchmarks
{
    private BenchMlp _mlp = null!;
    private MlpFeatures _features = null!;

    [Params(false, true)]
    public bool Shadow { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _mlp = await BenchMlp.StartAsync(m => (Shadow ? m.ShadowVersion("2", sampleRate: 1) : m).PinVersion("1"), versions: 2);
        _features = BenchMlp.Row(1);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (Shadow)
        {
            var shadow = _mlp.Host.Services.GetService(typeof(IModelManager)) is IModelManager manager ? manager.GetStatus(BenchMlp.Name).Shadows.Single() : null;
            Console.WriteLine($"// shadow: {shadow?.Requests} compared, {shadow?.Matches} matched, {shadow?.Dropped} dropped");
        }

        await _mlp.DisposeAsync();
    }

    [Benchmark]
    public float PredictAsync()
    {
        var prediction = _mlp.Client.PredictAsync(_features);
        return prediction.IsCompletedSuccessfully ? prediction.Result : throw new InvalidOperationException("Expected a synchronous completion.");
    }
}
