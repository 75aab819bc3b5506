using System.Diagnostics;
using System.Globalization;

namespace LyftServing.Benchmarks;

/// <summary>
/// Throughput and latency of 64 concurrent callers (and of a single caller) on two ONNX MLPs,
/// without and with dynamic batching, over a fixed duration. A load harness rather than a BenchmarkDotNet class:
/// what is measured is the whole system under concurrency (calls/s, p50/p99 per call).
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project tests/LyftServing.Benchmarks -- --batching [model ...]</c>.</remarks>
public static class BatchingThroughput
{
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(6);

    public static async Task RunAsync(IReadOnlyCollection<string> onlyModels)
    {
        Console.WriteLine($"| model | mode | callers | calls/s | p50 (ms) | p99 (ms) | mean batch |");
        Console.WriteLine($"| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        // wider_mlp (5 MB) is not committed: make-wide-mlp.py writes it on demand.
        var models = new[] { ("bench_mlp", 64), ("wide_mlp", 256), ("wider_mlp", 256) }
            .Where(m => File.Exists(Path.Combine(AppContext.BaseDirectory, "assets", "models", m.Item1, "1", "model.onnx")))
            .Where(m => onlyModels.Count == 0 || onlyModels.Contains(m.Item1));
        foreach (var (model, width) in models)
        {
            foreach (var callers in new[] { 64, 1 })
            {
                await MeasureAsync(model, width, "unbatched", callers, m => m);
                await MeasureAsync(model, width, "batched 64 / 2 ms, 1 batch at a time", callers, m => m.UseDynamicBatching(64, TimeSpan.FromMilliseconds(2)));
                await MeasureAsync(model, width, "batched 32 / 2 ms, 2 batches at a time", callers, m => m.UseDynamicBatching(32, TimeSpan.FromMilliseconds(2), maxConcurrentBatches: 2));
                await MeasureAsync(model, width, "batched 16 / 2 ms, 4 batches at a time", callers, m => m.UseDynamicBatching(16, TimeSpan.FromMilliseconds(2), maxConcurrentBatches: 4));
            }
        }
    }

    private static async Task MeasureAsync(string model, int width, string mode, int callers, Func<ModelBuilder, ModelBuilder> configure)
    {
        await using var mlp = await BenchMlp.StartAsync(m => configure(m), model: model);
        var client = mlp.Client;
        var sizes = new List<int>();
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "lyftserving.batch.size")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((_, value, _, _) =>
        {
            lock (sizes)
            {
                sizes.Add(value);
            }
        });
        listener.Start();

        var measuring = false;
        var stop = false;
        var latencies = new List<double>[callers];
        var tasks = Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            var features = BenchMlp.Row(caller, width);
            var mine = latencies[caller] = new List<double>(200_000);
            while (!Volatile.Read(ref stop))
            {
                var started = Stopwatch.GetTimestamp();
                await client.PredictAsync(features);
                if (Volatile.Read(ref measuring))
                {
                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        })).ToArray();

        await Task.Delay(Warmup);
        lock (sizes)
        {
            sizes.Clear();
        }

        Volatile.Write(ref measuring, true);
        await Task.Delay(Duration);
        Volatile.Write(ref measuring, false);
        Volatile.Write(ref stop, true);
        await Task.WhenAll(tasks);

        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double p) => all[(int)Math.Min(all.Length - 1, Math.Ceiling(p * all.Length) - 1)];
        var meanBatch = sizes.Count == 0 ? 1 : sizes.Average();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {model} | {mode} | {callers} | {all.Length / Duration.TotalSeconds:N0} | {Percentile(0.5):F3} | {Percentile(0.99):F3} | {meanBatch:F1} |"));
    }
}
