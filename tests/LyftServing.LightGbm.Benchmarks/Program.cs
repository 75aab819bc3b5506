using System.Diagnostics;
using BenchmarkDotNet.Running;
using LyftServing.LightGbm.Benchmarks;
using LyftServing.OnnxRuntime.Benchmarks;

if (args is ["--interleaved", ..])
{
    // Interleaved ratios: a shared machine's load changes between BenchmarkDotNet's sequential
    // benchmarks; here each round times a block of calls of every method in a rotating order, and
    // the ratio is taken within the round, so the load a round saw cancels out. Medians of the rounds.
    foreach (var model in new[] { "trip_risk", "trip_class" })
    {
        var bench = new PerRowBenchmarks { Model = model };
        bench.Setup();
        Func<double>[] methods = [bench.RawFastSingleRow, bench.HostTyped, bench.RuntimeOnly];
        const int Rounds = 401, Calls = 2_000;
        var perCall = new double[methods.Length][];
        for (var m = 0; m < methods.Length; m++)
        {
            perCall[m] = new double[Rounds];
            for (var i = 0; i < 20_000; i++)
            {
                methods[m]();
            }
        }

        for (var round = 0; round < Rounds; round++)
        {
            for (var k = 0; k < methods.Length; k++)
            {
                var m = (round + k) % methods.Length;
                var method = methods[m];
                var start = Stopwatch.GetTimestamp();
                for (var i = 0; i < Calls; i++)
                {
                    method();
                }

                perCall[m][round] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / Calls;
            }
        }

        bench.Cleanup();
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted[sorted.Length / 2];
        }

        var raw = Median(perCall[0]);
        var host = Median(perCall[1]);
        var runtime = Median(perCall[2]);
        var hostRatio = Median(Enumerable.Range(0, Rounds).Select(r => perCall[1][r] / perCall[0][r]));
        var runtimeRatio = Median(Enumerable.Range(0, Rounds).Select(r => perCall[2][r] / perCall[0][r]));
        Console.WriteLine($"| {model} | {raw:F0} ns | {host:F0} ns | {runtime:F0} ns | {hostRatio:F3}× | {runtimeRatio:F3}× |");
    }

    return;
}

BenchmarkSwitcher.FromAssembly(typeof(PerRowBenchmarks).Assembly).Run(args, new InProcessConfig());
