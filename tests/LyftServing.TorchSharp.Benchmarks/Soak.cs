using System.Diagnostics;
using System.Globalization;
using LyftServing.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TorchSharp;
using TripScoring;

namespace LyftServing.TorchSharp.Benchmarks;

/// <summary>
/// The memory soak of RESULTS.md: a million predictions each through the zero-code
/// <c>torchscript</c> runtime (bench_mlp) and through a TorchSharp module written in C#
/// (TripScoring's <c>TripModel</c>), then 200 load/unload cycles, with the process's resident
/// memory (VmRSS, after a full GC) sampled along the way. The tests run the same bounds on fewer
/// calls (TorchScriptLifetimeTests); this exits with 1 when a bound is exceeded.
/// </summary>
public static class Soak
{
    private const long CallBoundBytes = 32L * 1024 * 1024;
    private const long CycleBoundBytes = 48L * 1024 * 1024;

    public static async Task<int> RunAsync(int calls)
    {
        var store = Directory.CreateTempSubdirectory("lyftserving-torch-soak-").FullName;
        try
        {
            var bench = Path.Combine(AppContext.BaseDirectory, "assets", "torchscript", "bench_mlp", "1");
            foreach (var version in new[] { "1", "2" })
            {
                Directory.CreateDirectory(Path.Combine(store, "bench_mlp", version));
                foreach (var file in Directory.EnumerateFiles(bench))
                {
                    File.Copy(file, Path.Combine(store, "bench_mlp", version, Path.GetFileName(file)));
                }
            }

            Directory.CreateDirectory(Path.Combine(store, "trip_late", "1"));
            torch.manual_seed(7);
            using (var net = new TripNet())
            {
                net.save(Path.Combine(store, "trip_late", "1", "weights.dat"));
            }

            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Services.AddLogging();
            builder.Services.AddModelServing()
                .AddTorchScriptModel("bench_mlp", m => m.FromStore(store).PinVersion("1").RequireSelfTests())
                .AddTorchSharpModel<TripModel, TripFeatures, float>("trip_late", m => m.FromStore(store));
            using var host = builder.Build();
            await host.StartAsync();

            var tensors = host.Services.GetRequiredKeyedService<IModelClient<Tensors, Tensors>>("bench_mlp");
            var features = new Tensors { { "features", Tensor.Create([.. Enumerable.Range(0, 64).Select(i => (float)Math.Sin(i))], 1, 64) } };
            var expected = (await tensors.PredictAsync(features))["output"].GetValues<float>()[0];
            var trips = host.Services.GetRequiredKeyedService<IModelClient<TripFeatures, float>>("trip_late");
            var trip = new TripFeatures(8, 20, 1.1f);
            var late = await trips.PredictAsync(trip);

            Console.WriteLine($"Soak: {calls:N0} calls per model, .NET {Environment.Version}, TorchSharp {typeof(torch).Assembly.GetName().Version}, {Environment.ProcessorCount} cores");
            Console.WriteLine();
            Console.WriteLine("| run | calls or cycles | RSS at start | RSS at end | growth | max − start | time | per call | RSS − start at each tenth (MiB) | .NET heap committed at start → end |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |");
            var ok = await MeasureAsync("torchscript runtime (bench_mlp, Tensors)", calls, CallBoundBytes, async () =>
            {
                if ((await tensors.PredictAsync(features))["output"].GetValues<float>()[0] != expected)
                {
                    throw new InvalidOperationException("bench_mlp answered differently.");
                }
            });
            ok &= await MeasureAsync("C# module (TripModel, typed)", calls, CallBoundBytes, async () =>
            {
                if (await trips.PredictAsync(trip) != late)
                {
                    throw new InvalidOperationException("trip_late answered differently.");
                }
            });

            var manager = host.Services.GetRequiredService<IModelManager>();
            ok &= await MeasureAsync("load, predict, unload (bench_mlp v2)", 200, CycleBoundBytes, async () =>
            {
                await manager.LoadVersionAsync("bench_mlp", "2");
                await tensors.PredictAsync(features);
                await manager.UnloadVersionAsync("bench_mlp", "2");
            });

            await host.StopAsync();
            Console.WriteLine();
            Console.WriteLine(ok ? "Every run stayed within its bound." : "A run exceeded its bound.");
            return ok ? 0 : 1;
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
    }

    private static async Task<bool> MeasureAsync(string name, int count, long bound, Func<Task> call)
    {
        // Warm up for a tenth of the run (JIT, libtorch's profiling executor, pools, and the .NET
        // heap: workstation GC's first gen0 budget, tens of MiB on a CPU with a large cache, is
        // touched for the first time only after ~50,000 calls of ~1.7 KB), then sample every tenth.
        for (var i = 0; i < count / 10; i++)
        {
            await call();
        }

        var start = ResidentMemory.Bytes();
        var committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
        var max = start;
        var tenths = new List<string>();
        var watch = Stopwatch.StartNew();
        for (var i = 1; i <= count; i++)
        {
            await call();
            if (i % Math.Max(count / 10, 1) == 0)
            {
                var now = ResidentMemory.Bytes();
                max = Math.Max(max, now);
                tenths.Add(((now - start) / 1048576.0).ToString("F1", CultureInfo.InvariantCulture));
            }
        }

        var elapsed = watch.Elapsed;
        var end = ResidentMemory.Bytes();
        var growth = end - start;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {name} | {count:N0} | {Mib(start)} | {Mib(end)} | {Mib(growth)} | {Mib(max - start)} | {elapsed.TotalSeconds:F1} s | {elapsed.TotalMicroseconds / count:F1} µs | {string.Join(" ", tenths)} | {Mib(committed)} → {Mib(GC.GetGCMemoryInfo().TotalCommittedBytes)} |"));
        return growth < bound && max - start < bound;
    }

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) + " MiB";
}
