using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LyftServing.Benchmarks;

/// <summary>
/// Throughput and latency of 64 concurrent callers (and of a single caller) on ONNX MLPs of four sizes,
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
        await MeasureFloorAsync();
        await MeasureBatcherAloneAsync();
        Console.WriteLine($"| model | mode | callers | calls/s | p50 (ms) | p99 (ms) | mean batch |");
        Console.WriteLine($"| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        var models = new[] { ("bench_mlp", 64), ("wide_mlp", 256), ("wider_mlp", 256), ("large_mlp", 1024) }
            .Where(m => onlyModels.Count == 0 || onlyModels.Contains(m.Item1))
            .Where(m => Generate(m.Item1));
        foreach (var (model, width) in models)
        {
            MeasureCeiling(model, width);
            foreach (var callers in new[] { 64, 1 })
            {
                await MeasureAsync(model, width, "unbatched", callers, m => m);
                if (callers == 1)
                {
                    // A lone batched call idles the model for MaxDelay before each run, and a model run after an idle
                    // spell is slower here (caches go cold): this is the unbatched call at that pace.
                    await MeasureAsync(model, width, "unbatched, 2 ms idle before each call", callers, m => m, idleBeforeEachCall: true);
                }

                await MeasureAsync(model, width, "batched 64 / 2 ms, 1 batch at a time", callers, m => m.UseDynamicBatching(64, TimeSpan.FromMilliseconds(2)));
                await MeasureAsync(model, width, "batched 32 / 2 ms, 2 batches at a time", callers, m => m.UseDynamicBatching(32, TimeSpan.FromMilliseconds(2), maxConcurrentBatches: 2));
                await MeasureAsync(model, width, "batched 16 / 2 ms, 4 batches at a time", callers, m => m.UseDynamicBatching(16, TimeSpan.FromMilliseconds(2), maxConcurrentBatches: 4));
            }
        }
    }

    /// <summary>
    /// The floor under "MaxDelay + 1 ms" on this machine: a lone call handed to a dedicated thread that waits 2 ms
    /// (<c>Monitor.Wait</c>, as the batcher does) and completes it, the caller continuing on the thread pool. No model runs:
    /// this is the least any batcher built on these primitives adds with MaxDelay = 2 ms.
    /// </summary>
    private static async Task MeasureFloorAsync()
    {
        var gate = new object();
        TaskCompletionSource? request = null;
        var stop = false;
        var thread = new Thread(() =>
        {
            while (true)
            {
                TaskCompletionSource current;
                lock (gate)
                {
                    while (request is null && !stop)
                    {
                        Monitor.Wait(gate);
                    }

                    if (request is null)
                    {
                        return;
                    }

                    current = request;
                    request = null;
                    Monitor.Wait(gate, TimeSpan.FromMilliseconds(2));
                }

                current.SetResult();
            }
        }) { IsBackground = true };
        thread.Start();

        var added = new double[2000];
        for (var i = 0; i < added.Length; i++)
        {
            var call = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var started = Stopwatch.GetTimestamp();
            lock (gate)
            {
                request = call;
                Monitor.Pulse(gate);
            }

            await call.Task;
            added[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        lock (gate)
        {
            stop = true;
            Monitor.Pulse(gate);
        }

        thread.Join();
        Array.Sort(added);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Floor (a 2 ms wait on a dedicated thread, then back to the caller): p50 {added[999]:F3} ms, p99 {added[1979]:F3} ms, max {added[^1]:F3} ms"));
        Console.WriteLine();
    }

    /// <summary>
    /// The batcher's own cost per call: 64 callers through batches of 32, two at a time, of a model that does no work.
    /// </summary>
    private static async Task MeasureBatcherAloneAsync()
    {
        using var store = new LyftServing.Testing.InMemoryModelStore();
        store.AddVersion("trivial", "1", new Dictionary<string, string>());
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddModelServing().UseModelStore(store)
            .AddModel<TrivialBatchModel, MlpFeatures, float>("trivial", m => m.UseDynamicBatching(32, TimeSpan.FromMilliseconds(2), maxConcurrentBatches: 2));
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredKeyedService<IModelClient<MlpFeatures, float>>("trivial");
        var features = BenchMlp.Row(0, 1);
        long calls = 0;
        var stop = false;
        var callers = Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            while (!Volatile.Read(ref stop))
            {
                await client.PredictAsync(features);
                Interlocked.Increment(ref calls);
            }
        })).ToArray();
        await Task.Delay(Warmup);
        var counted = Interlocked.Read(ref calls);
        var allocated = GC.GetTotalAllocatedBytes();
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(4));
        var measured = Interlocked.Read(ref calls) - counted;
        var bytes = GC.GetTotalAllocatedBytes() - allocated;
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Volatile.Write(ref stop, true);
        await Task.WhenAll(callers);
        await host.StopAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Batcher alone (a model that does no work, 64 callers, 32-row batches, 2 at a time): {measured / seconds:N0} calls/s, {bytes / (double)measured:F0} B allocated per call"));
        Console.WriteLine();
    }

    /// <summary>A batch model that does no work, to measure the batcher itself.</summary>
    private sealed class TrivialBatchModel : IBatchModel<MlpFeatures, float>
    {
        public ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public float Predict(MlpFeatures features) => features.Values[0];

        public void PredictBatch(ReadOnlySpan<MlpFeatures> features, Span<float> outputs)
        {
            for (var i = 0; i < features.Length; i++)
            {
                outputs[i] = features[i].Values[0];
            }
        }
    }

    /// <summary>
    /// wider_mlp (5 MB) and large_mlp (80 MB) are not committed: make-wide-mlp.py writes them into the output folder
    /// the first time (Debian's python3-onnx and python3-numpy).
    /// </summary>
    private static bool Generate(string model)
    {
        var path = BenchMlp.ModelPath(model);
        string[]? arguments = model switch
        {
            "wider_mlp" => ["1024"],
            "large_mlp" => ["4096", "1024"],
            _ => null,
        };
        if (File.Exists(path) || arguments is null)
        {
            return File.Exists(path);
        }

        var script = Path.Combine(AppContext.BaseDirectory, "make-wide-mlp.py");
        using var python = Process.Start("/usr/bin/python3", [script, path, .. arguments]);
        python.WaitForExit();
        if (python.ExitCode != 0)
        {
            Console.WriteLine($"{model}: skipped, make-wide-mlp.py failed (needs python3-onnx and python3-numpy)");
            return false;
        }

        return true;
    }

    /// <summary>
    /// What batching can gain on this machine at best: ONNX Runtime alone (no host), two threads (one per core) running
    /// single rows, then 32-row batches, rows per second each.
    /// </summary>
    private static void MeasureCeiling(string model, int width)
    {
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 1 };
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(BenchMlp.ModelPath(model), options);
        double RowsPerSecond(int rows)
        {
            long total = 0;
            var threads = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => new Thread(() =>
            {
                using var input = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(new float[rows * width], [rows, width]);
                using var runOptions = new Microsoft.ML.OnnxRuntime.RunOptions();
                var until = Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * 3.0);
                var runs = 0;
                while (Stopwatch.GetTimestamp() < until)
                {
                    using var outputs = session.Run(runOptions, ["features"], [input], ["output"]);
                    runs++;
                }

                Interlocked.Add(ref total, (long)runs * rows);
            })).ToArray();
            foreach (var thread in threads)
            {
                thread.Start();
            }

            foreach (var thread in threads)
            {
                thread.Join();
            }

            return Interlocked.Read(ref total) / 3.0;
        }

        RowsPerSecond(1);
        var single = RowsPerSecond(1);
        var batched = RowsPerSecond(32);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {model} | ONNX Runtime alone, {Environment.ProcessorCount} threads: single rows {single:N0} rows/s, 32-row batches {batched:N0} rows/s ({batched / single:F2}×) | | | | | |"));
    }

    /// <summary>Blocks for a span the way the batcher waits for MaxDelay (<c>Monitor.Wait</c>).</summary>
    private static void Idle(TimeSpan span)
    {
        var gate = new object();
        var started = Stopwatch.GetTimestamp();
        lock (gate)
        {
            for (var remaining = span; remaining > TimeSpan.Zero; remaining = span - Stopwatch.GetElapsedTime(started))
            {
                Monitor.Wait(gate, remaining);
            }
        }
    }

    private static async Task MeasureAsync(string model, int width, string mode, int callers, Func<ModelBuilder<MlpFeatures, float>, ModelBuilder<MlpFeatures, float>> configure, bool idleBeforeEachCall = false)
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
                if (idleBeforeEachCall)
                {
                    Idle(TimeSpan.FromMilliseconds(2));
                }

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
