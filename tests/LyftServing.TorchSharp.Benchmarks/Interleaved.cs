using System.Diagnostics;
using System.Globalization;

namespace LyftServing.TorchSharp.Benchmarks;

/// <summary>
/// The ratios of <see cref="TypedPathBenchmarks"/> measured interleaved, for a shared machine whose
/// load drifts between BenchmarkDotNet's consecutive benchmarks: rounds of a few thousand calls of
/// each method in turn, the median time per call of each method over the rounds, and the median of
/// the per-round ratios to the raw call.
/// </summary>
public static class Interleaved
{
    public static int Run(int rounds)
    {
        Console.WriteLine("| model | method | median per call | median ratio to raw (per round) |");
        Console.WriteLine("| --- | --- | ---: | ---: |");
        foreach (var model in new[] { "tabular_mlp", "bench_mlp" })
        {
            var benchmarks = new TypedPathBenchmarks { Model = model };
            benchmarks.Setup();
            try
            {
                (string Name, Func<float> Call)[] methods =
                [
                    ("raw TorchSharp forward", benchmarks.RawForward),
                    ("LyftServing typed PredictAsync", benchmarks.HostTyped),
                    ("TorchSharpModel.Predict (no host)", benchmarks.RuntimeOnly),
                    ("torchscript runtime PredictAsync (Tensors)", benchmarks.HostTensors),
                ];
                var times = methods.Select(_ => new List<double>()).ToArray();
                const int Calls = 2_000;
                for (var round = -3; round < rounds; round++)
                {
                    for (var m = 0; m < methods.Length; m++)
                    {
                        var call = methods[m].Call;
                        var watch = Stopwatch.StartNew();
                        for (var i = 0; i < Calls; i++)
                        {
                            call();
                        }

                        if (round >= 0)
                        {
                            times[m].Add(watch.Elapsed.TotalMicroseconds / Calls);
                        }
                    }
                }

                for (var m = 0; m < methods.Length; m++)
                {
                    var ratios = times[m].Zip(times[0], (t, raw) => t / raw).ToList();
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {model} | {methods[m].Name} | {Median(times[m]):F2} µs | {Median(ratios):F3} |"));
                }
            }
            finally
            {
                benchmarks.Cleanup();
            }
        }

        return 0;
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
