using System.Diagnostics;
using System.Globalization;

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
        MeasureWaitPrecision();
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
                await MeasureAsync(model, width, "batched 64 / 2 ms, 1 batch at a time", callers, m => m.UseDynamicBatching(64, TimeSpan.FromMilliseconds(2)));
                await MeasureAsync(model, width, "batched 32 / 2 ms, 2 batches at a time", callers, m => m.UseDynamicBatching(32, TimeSpan.FromMilliseconds(2), maxConcurrentBatches: 2));
                await MeasureAsync(model, width, "batched 16 / 2 ms, 4 batches at a time", callers, m => m.UseDynamicBatching(16, TimeSpan.FromMilliseconds(2), maxConcurrentBatches: 4));
            }
        }
    }

    /// <summary>
    /// The floor under "MaxDelay + 1 ms": how long the batcher's wait primitive (<c>Monitor.Wait</c> with a 2 ms
    /// timeout) really waits on this machine, with nothing else running.
    /// </summary>
    private static void MeasureWaitPrecision()
    {
        var gate = new object();
        var waits = new double[2000];
        for (var i = 0; i < waits.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            lock (gate)
            {
                Monitor.Wait(gate, TimeSpan.FromMilliseconds(2));
            }

            waits[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(waits);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"A 2 ms Monitor.Wait on this machine: p50 {waits[999]:F3} ms, p99 {waits[1979]:F3} ms, max {waits[^1]:F3} ms"));
        Console.WriteLine();
    }

    /// <summary>
    /// wider_mlp (5 MB) and large_mlp (80 MB) are not committed: make-wide-mlp.py writes them into the output folder
    /// the first time (Debian's python3-onnx and python3-numpy).
    /// </summary>
    private static bool Generate(string model)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "assets", "models", model, "1", "model.onnx");
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
        var path = Path.Combine(AppContext.BaseDirectory, "assets", "models", model, "1", "model.onnx");
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 1 };
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path, options);
        double RowsPerSecond(int rows)
        {
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

                Interlocked.Add(ref s_rows, (long)runs * rows);
            })).ToArray();
            Interlocked.Exchange(ref s_rows, 0);
            foreach (var thread in threads)
            {
                thread.Start();
            }

            foreach (var thread in threads)
            {
                thread.Join();
            }

            return Interlocked.Read(ref s_rows) / 3.0;
        }

        RowsPerSecond(1);
        var single = RowsPerSecond(1);
        var batched = RowsPerSecond(32);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {model} | ONNX Runtime alone, {Environment.ProcessorCount} threads: single rows {single:N0} rows/s, 32-row batches {batched:N0} rows/s ({batched / single:F2}×) | | | | | |"));
    }

    private static long s_rows;

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
