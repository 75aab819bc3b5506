using BenchmarkDotNet.Attributes;
using LyftServing.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static LyftServing.Benchmarks.HostOverheadBenchmarks;

namespace LyftServing.Benchmarks;

/// <summary>
/// What each call-pipeline stage adds to a call: <c>PredictAsync</c> of the trivial model of
/// <see cref="HostOverheadBenchmarks"/> (<c>x * 2</c>) through the host with one stage configured at
/// a time, none (the bare fast path), and every stage at once. One caller, no telemetry listener.
/// </summary>
public class PipelineStageBenchmarks
{
    private readonly Features _features = new(3);
    private InMemoryModelStore _store = null!;
    private IHost _host = null!;
    private IModelClient<Features, double> _client = null!;

    [Params("none", "limit", "timeout", "limit+timeout", "shadow", "log", "batching", "all")]
    public string Stages { get; set; } = "none";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _store = new InMemoryModelStore();
        _store.AddVersion("double", "1", new Dictionary<string, string>());
        _store.AddVersion("double", "2", new Dictionary<string, string>());
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        var all = Stages == "all";
        builder.Services.AddModelServing()
            .UseModelStore(_store)
            .AddPredictionSink<DiscardingSink>()
            .AddModel<DoubleModel, Features, double>("double", m =>
            {
                m.PinVersion("1");
                if (all || Stages.Contains("limit", StringComparison.Ordinal))
                {
                    m.LimitConcurrency(64, queueLimit: 1024);
                }

                if (all || Stages.Contains("timeout", StringComparison.Ordinal))
                {
                    m.WithTimeout(TimeSpan.FromSeconds(10));
                }

                if (all || Stages == "shadow")
                {
                    m.ShadowVersion("2", sampleRate: 1);
                }

                if (all || Stages == "log")
                {
                    m.LogPredictions(1);
                }

                if (all || Stages == "batching")
                {
                    m.UseDynamicBatching(8, TimeSpan.Zero);
                }
            });
        _host = builder.Build();
        await _host.StartAsync();
        _client = _host.Services.GetRequiredKeyedService<IModelClient<Features, double>>("double");
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        _store.Dispose();
    }

    [Benchmark]
    public async ValueTask<double> PredictAsync() => await _client.PredictAsync(_features);

    public sealed class DiscardingSink : IPredictionSink
    {
        public ValueTask WriteAsync(IReadOnlyList<PredictionRecord> records, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
