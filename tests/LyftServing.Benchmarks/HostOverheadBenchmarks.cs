using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using LyftServing.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LyftServing.Benchmarks;

/// <summary>
/// The host's cost per call: <c>IModelClient.PredictAsync</c> through the host against a direct
/// <c>Predict</c> on the same trivial model, with and without a metrics listener attached.
/// </summary>
public class HostOverheadBenchmarks
{
    private readonly Features _features = new(3);
    private InMemoryModelStore _store = null!;
    private IHost _host = null!;
    private IModelClient<Features, double> _client = null!;
    private DoubleModel _model = null!;
    private MeterListener? _listener;

    [Params(false, true)]
    public bool MetricsListening { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _store = new InMemoryModelStore();
        _store.AddVersion("double", "1", new Dictionary<string, string>());
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddModelServing().UseModelStore(_store).AddModel<DoubleModel, Features, double>("double");
        _host = builder.Build();
        await _host.StartAsync();
        _client = _host.Services.GetRequiredKeyedService<IModelClient<Features, double>>("double");
        _model = new DoubleModel();

        if (MetricsListening)
        {
            // What an OpenTelemetry SDK does: listen to every LyftServing instrument.
            _listener = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name == ModelServingTelemetry.MeterName)
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _listener.SetMeasurementEventCallback<double>((_, _, _, _) => { });
            _listener.SetMeasurementEventCallback<long>((_, _, _, _) => { });
            _listener.SetMeasurementEventCallback<int>((_, _, _, _) => { });
            _listener.Start();
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _listener?.Dispose();
        await _host.StopAsync();
        _host.Dispose();
        _store.Dispose();
    }

    [Benchmark(Baseline = true)]
    public double DirectPredict() => _model.Predict(_features);

    [Benchmark]
    public double HostPredictAsync()
    {
        // Completes synchronously: no batching or limits are configured.
        var prediction = _client.PredictAsync(_features);
        return prediction.IsCompletedSuccessfully ? prediction.Result : throw new InvalidOperationException("Expected a synchronous completion.");
    }

    public sealed record Features(double X);

    public sealed class DoubleModel : IBatchModel<Features, double>
    {
        public ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        // Not inlined, so the baseline is a real call like the host's.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        public double Predict(Features features) => features.X * 2;

        public void PredictBatch(ReadOnlySpan<Features> features, Span<double> outputs)
        {
            for (var i = 0; i < features.Length; i++)
            {
                outputs[i] = Predict(features[i]);
            }
        }
    }
}
