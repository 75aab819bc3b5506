using System.Diagnostics;
using TripScoring;
using Xunit.Abstractions;

namespace LyftServing.TorchSharp.Tests.Internal;

/// <summary>Runs alone: it measures the process's resident memory, which parallel tests would disturb.</summary>
[CollectionDefinition(nameof(ResidentMemoryTests), DisableParallelization = true)]
public sealed class ResidentMemoryTests;

/// <summary>
/// Versions over their lifetimes: hot swaps under load with no failed call, damaged versions that
/// never serve, and resident memory that stays flat over many calls and many load/unload cycles.
/// The million-call run is the soak of tests/LyftServing.TorchSharp.Benchmarks (RESULTS.md); these
/// tests run the same bound logic on fewer calls.
/// </summary>
[Collection(nameof(ResidentMemoryTests))]
public sealed class TorchScriptLifetimeTests(ITestOutputHelper output) : IDisposable
{
    private const int Callers = SwapLoad.Callers;
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task RefreshAndPromote_JsonCallersDuringTwentyFourSwapsAndADamagedVersion_NoFailedCallAndTheDamagedVersionNeverServes()
    {
        _store.AddVersion("tabular_mlp", "1", Assets.TorchScript("tabular_mlp"));
        using var host = await StartAsync("tabular_mlp");
        var client = host.Services.GetRequiredKeyedService<IModelClient<Tensors, Tensors>>("tabular_mlp");
        var manager = host.Services.GetRequiredService<IModelManager>();
        var cases = Assets.FixtureCases("tabular_mlp");
        var features = cases.Select(c => new Tensors { { "features", Tensor.Create(Assets.Floats(c["features"]!), 1, 8) } }).ToArray();
        var expected = cases.Select(c => c["score"]!.GetValue<float>()).ToArray();
        var damaged = false;

        var (calls, failures) = await SwapLoad.RunAsync(
            host,
            "tabular_mlp",
            async i =>
            {
                var score = (await client.PredictAsync(features[i % features.Length]))["score"].GetValues<float>()[0];
                return Math.Abs(score - expected[i % expected.Length]) <= 1e-5f;
            },
            async version =>
            {
                if (version == "7" && !damaged)
                {
                    // A truncated copy: it fails its load (recorded in the status), and version 6 keeps serving.
                    damaged = true;
                    _store.AddVersion("tabular_mlp", "7", Assets.TorchScript("tabular_mlp"), dir => File.WriteAllBytes(Path.Combine(dir, "model.pt"), File.ReadAllBytes(Path.Combine(dir, "model.pt"))[..4000]));
                    await manager.RefreshAsync("tabular_mlp");
                    var status = manager.GetStatus("tabular_mlp");
                    Assert.Equal("6", status.PrimaryVersion);
                    var failed = status.Versions.Single(v => v.Version == "7");
                    Assert.Equal(ModelVersionState.Failed, failed.State);
                    Assert.Contains("'model.pt' is not a TorchScript file (it is not a readable zip archive", failed.Error!.Message, StringComparison.Ordinal);
                    Directory.Delete(Path.Combine(_store.Root, "tabular_mlp", "7"), recursive: true);
                }

                _store.AddVersion("tabular_mlp", version, Assets.TorchScript("tabular_mlp"));
            });

        output.WriteLine($"{calls} calls during 24 swaps and a damaged version, {failures.Count} failed");
        Assert.Empty(failures);
        Assert.True(calls > 24 * Callers, $"only {calls} calls ran during the swaps");
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_100000Calls_ResidentMemoryGrowsLessThan32MiB()
    {
        // bench_mlp: a tensor left alive per call (input, intermediate or output) would hold at
        // least a few hundred bytes of native memory, 100,000 × 300 B = 29 MB, beyond the bound
        // with the pinned input buffers and dispose-scope entries it would keep too.
        const long BoundBytes = 32L * 1024 * 1024;
        _store.AddVersion("bench_mlp", "1", Assets.TorchScript("bench_mlp"));
        using var host = await StartAsync("bench_mlp");
        var client = host.Services.GetRequiredKeyedService<IModelClient<Tensors, Tensors>>("bench_mlp");
        var testCase = Assets.FixtureCases("bench_mlp")[0];
        var features = new Tensors { { "features", Tensor.Create(Assets.Floats(testCase["features"]!), 1, 64) } };
        var expected = testCase["output"]!.GetValue<float>();

        var (before, after, seconds) = await MeasureAsync(20_000, 100_000, async () =>
            Assert.Equal(expected, (await client.PredictAsync(features))["output"].GetValues<float>()[0], 1e-5f));

        var growth = after - before;
        output.WriteLine($"RSS after 20,000 warm-up calls: {before / 1048576.0:F1} MiB; after 100,000 more: {after / 1048576.0:F1} MiB; growth {growth / 1048576.0:F2} MiB ({seconds:F1} s)");
        Assert.True(growth < BoundBytes, $"RSS grew by {growth / 1048576.0:F1} MiB over 100,000 calls (bound {BoundBytes / 1048576} MiB)");
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_CSharpModule100000Calls_ResidentMemoryGrowsLessThan32MiB()
    {
        const long BoundBytes = 32L * 1024 * 1024;
        var directory = Path.Combine(_store.Root, "trip_late", "1");
        Directory.CreateDirectory(directory);
        using (var net = new TripNet())
        {
            net.save(Path.Combine(directory, "weights.dat"));
        }

        using var host = await TestHost.StartAsync(b => b.AddTorchSharpModel<TripModel, TripFeatures, float>("trip_late", m => m.FromStore(_store.Root)));
        var client = host.Services.GetRequiredKeyedService<IModelClient<TripFeatures, float>>("trip_late");
        var trip = new TripFeatures(8, 20, 1.1f);
        var expected = await client.PredictAsync(trip);

        var (before, after, seconds) = await MeasureAsync(20_000, 100_000, async () => Assert.Equal(expected, await client.PredictAsync(trip)));

        var growth = after - before;
        output.WriteLine($"RSS after 20,000 warm-up calls: {before / 1048576.0:F1} MiB; after 100,000 more: {after / 1048576.0:F1} MiB; growth {growth / 1048576.0:F2} MiB ({seconds:F1} s)");
        Assert.True(growth < BoundBytes, $"RSS grew by {growth / 1048576.0:F1} MiB over 100,000 calls (bound {BoundBytes / 1048576} MiB)");
        await host.StopAsync();
    }

    [Fact]
    public async Task LoadAndUnloadVersion_200Cycles_ResidentMemoryGrowsLessThan48MiB()
    {
        // bench_mlp (330 KB of weights, read twice per load: CRC check and libtorch): a module,
        // its archive or its check run leaked per cycle would add at least 200 × 330 KB = 66 MB.
        const long BoundBytes = 48L * 1024 * 1024;
        _store.AddVersion("bench_mlp", "1", Assets.TorchScript("bench_mlp"));
        _store.AddVersion("bench_mlp", "2", Assets.TorchScript("bench_mlp"));
        using var host = await StartAsync("bench_mlp", pinVersion: "1");
        var manager = host.Services.GetRequiredService<IModelManager>();
        var client = TorchScriptModelTests.JsonClient(host, "bench_mlp");
        var testCase = Assets.FixtureCases("bench_mlp")[0];
        var features = System.Text.Json.JsonSerializer.SerializeToElement(new { features = new[] { Assets.Floats(testCase["features"]!) } });
        var expected = testCase["output"]!.GetValue<float>();

        async Task CycleAsync()
        {
            // Load (archive check, module, check run, warm-up, self-tests), predict on that version, unload (drain + dispose).
            await manager.LoadVersionAsync("bench_mlp", "2");
            var prediction = await client.PredictAsync(features, version: "2");
            Assert.Equal(expected, ((Tensors)prediction.Output!)["output"].GetValues<float>()[0], 1e-5f);
            await manager.UnloadVersionAsync("bench_mlp", "2");
        }

        await LoadUnloadCycles.AssertResidentGrowthBelowAsync(CycleAsync, BoundBytes, output);
        Assert.Equal(["1"], manager.GetStatus("bench_mlp").Versions.Select(v => v.Version));
        await host.StopAsync();
    }

    private Task<IHost> StartAsync(string model, string? pinVersion = null)
    {
        var configuration = new Dictionary<string, string?>
        {
            [$"ModelServing:Models:{model}:Runtime"] = "torchscript",
            [$"ModelServing:Models:{model}:Store"] = _store.Root,
            [$"ModelServing:Models:{model}:RequireSelfTests"] = "true",
        };
        if (pinVersion is not null)
        {
            configuration[$"ModelServing:Models:{model}:Version"] = pinVersion;
        }

        return TestHost.StartAsync(b => b.AddTorchScriptRuntime(), configuration);
    }

    private static async Task<(long Before, long After, double Seconds)> MeasureAsync(int warmUpCalls, int calls, Func<Task> call)
    {
        for (var i = 0; i < warmUpCalls; i++)
        {
            await call();
        }

        var before = ResidentMemory.Bytes();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            await call();
        }

        return (before, ResidentMemory.Bytes(), watch.Elapsed.TotalSeconds);
    }
}
