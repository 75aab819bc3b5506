using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using LyftServing.Tests.TestModels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;

namespace LyftServing.Tests.PredictionLog;

public sealed class PredictionLogTests : IDisposable
{
    private const int Calls = 10_000;
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    /// <summary>A sink that keeps what it is given; optionally holds every write until released.</summary>
    public sealed class CollectingSink : IPredictionSink
    {
        public ConcurrentQueue<PredictionRecord> Records { get; } = new();

        public SemaphoreSlim? Gate { get; set; }

        public int Flushes { get; private set; }

        public async ValueTask WriteAsync(IReadOnlyList<PredictionRecord> records, CancellationToken cancellationToken)
        {
            if (Gate is { } gate)
            {
                await gate.WaitAsync(cancellationToken);
                gate.Release();
            }

            foreach (var record in records)
            {
                Records.Enqueue(record);
            }
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            return ValueTask.CompletedTask;
        }
    }

    private IHost Build(CollectingSink sink, double sampleRate = 1, int capacity = 10_000)
    {
        _store.AddVersion("lin", "1", weight: 2);
        var builder = TestHost.CreateBuilder();
        builder.Services.AddSingleton(sink);
        builder.Services.AddModelServing()
            .Configure(o => o.PredictionLogCapacity = capacity)
            .AddPredictionSink<SinkAdapter>()
            .AddModel<LinearModel, NumberFeatures, double>("lin", m => m.FromStore(_store.Root).LogPredictions(sampleRate));
        return builder.Build();
    }

    /// <summary>Resolves the test's sink instance through DI, as a user's sink would be.</summary>
    public sealed class SinkAdapter(CollectingSink inner) : IPredictionSink
    {
        public ValueTask WriteAsync(IReadOnlyList<PredictionRecord> records, CancellationToken cancellationToken) => inner.WriteAsync(records, cancellationToken);

        public ValueTask FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    }

    [Fact]
    public async Task TenThousandSampledCalls_ProduceExactlyTenThousandRecords_AfterGracefulShutdown()
    {
        var sink = new CollectingSink();
        using var host = Build(sink);
        await host.StartAsync();
        var client = host.Client("lin");

        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            for (var i = worker; i < Calls; i += 4)
            {
                await client.PredictAsync(new NumberFeatures(i));
            }
        })));
        await host.StopAsync();

        Assert.Equal(Calls, sink.Records.Count);
        Assert.Equal(Enumerable.Range(0, Calls).Select(i => (double)i), sink.Records.Select(r => ((NumberFeatures)r.Features!).X).Order());
        Assert.All(sink.Records, r => Assert.Equal(((NumberFeatures)r.Features!).X * 2, (double)r.Output!));
        var record = sink.Records.First();
        Assert.Equal(("lin", "1", "primary"), (record.ModelName, record.ModelVersion, record.Role));
        Assert.True(record.Latency >= TimeSpan.Zero);
        Assert.Equal(1, sink.Flushes);
    }

    [Fact]
    public async Task QueueOverflows_WrittenPlusDroppedAddUpToTheCalls()
    {
        var sink = new CollectingSink { Gate = new SemaphoreSlim(0) };
        using var host = Build(sink, capacity: 100);
        using var records = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), ModelServingTelemetry.MeterName, "lyftserving.prediction_log.records");
        await host.StartAsync();
        var client = host.Client("lin");

        for (var i = 0; i < Calls; i++)
        {
            await client.PredictAsync(new NumberFeatures(i));
        }

        sink.Gate.Release();
        await host.StopAsync();

        var byOutcome = records.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags[ModelServingTelemetry.OutcomeTag]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.True(byOutcome["dropped"] > 0);
        Assert.Equal(sink.Records.Count, byOutcome["written"]);
        Assert.Equal(Calls, byOutcome["written"] + byOutcome["dropped"]);
    }

    [Fact]
    public async Task SampleRate_RecordsAboutThatShare()
    {
        var sink = new CollectingSink();
        using var host = Build(sink, sampleRate: 0.1);
        await host.StartAsync();

        for (var i = 0; i < Calls; i++)
        {
            await host.Client("lin").PredictAsync(new NumberFeatures(i));
        }

        await host.StopAsync();
        Assert.InRange(sink.Records.Count, 800, 1200);
    }

    [Fact]
    public async Task JsonLinesSink_WritesOneObjectPerLine_RotatesBySize_AndKeepsNewestFiles()
    {
        var directory = Path.Combine(_store.Root, "predictions");
        _store.AddVersion("lin", "1", weight: 2);
        var builder = TestHost.CreateBuilder();
        builder.Services.AddModelServing()
            .AddJsonLinesPredictionSink(o =>
            {
                o.Directory = directory;
                o.MaxFileBytes = 64 * 1024;
                o.MaxFiles = 1000;
            })
            .AddModel<LinearModel, NumberFeatures, double>("lin", m => m.FromStore(_store.Root).LogPredictions());
        using var host = builder.Build();
        await host.StartAsync();

        for (var i = 0; i < Calls; i++)
        {
            await host.Client("lin").PredictAsync(new NumberFeatures(i));
        }

        await host.StopAsync();
        host.Dispose();

        var files = Directory.GetFiles(directory, "predictions-*.jsonl").Order(StringComparer.Ordinal).ToArray();
        var lines = files.SelectMany(File.ReadLines).ToList();
        Assert.True(files.Length > 1, "the files rotated");
        Assert.All(files, f => Assert.InRange(new FileInfo(f).Length, 1, 64 * 1024 + 512));
        Assert.Equal(Calls, lines.Count);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal("lin", first.RootElement.GetProperty("model").GetString());
        Assert.Equal("1", first.RootElement.GetProperty("version").GetString());
        Assert.Equal("primary", first.RootElement.GetProperty("role").GetString());
        Assert.Equal(0, first.RootElement.GetProperty("features").GetProperty("x").GetDouble());
        Assert.Equal(0, first.RootElement.GetProperty("output").GetDouble());
        Assert.True(first.RootElement.GetProperty("latency_ms").GetDouble() >= 0);
    }

    [Fact]
    public async Task JsonLinesSink_MaxFiles_DeletesOldest()
    {
        var directory = Path.Combine(_store.Root, "few");
        var sink = new JsonLinesPredictionSink(
            Microsoft.Extensions.Options.Options.Create(new JsonLinesPredictionSinkOptions { Directory = directory, MaxFileBytes = 1024, MaxFiles = 2 }),
            Microsoft.Extensions.Options.Options.Create(new ModelJsonOptions()),
            TimeProvider.System);
        var record = new PredictionRecord
        {
            ModelName = "m",
            ModelVersion = "1",
            Role = "primary",
            Features = new NumberFeatures(1),
            Output = 1.0,
            Latency = TimeSpan.FromMilliseconds(1),
            Timestamp = DateTimeOffset.UnixEpoch,
        };

        await sink.WriteAsync(Enumerable.Repeat(record, 100).ToList(), default);
        await sink.DisposeAsync();

        Assert.Equal(2, Directory.GetFiles(directory).Length);
    }
}
