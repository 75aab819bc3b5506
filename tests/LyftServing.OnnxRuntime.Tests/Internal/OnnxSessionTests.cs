using System.Diagnostics;
using System.Text.Json;
using LyftServing.OnnxRuntime.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace LyftServing.OnnxRuntime.Tests.Internal;

/// <summary>Runs alone: it measures the process's resident memory, which parallel tests would disturb.</summary>
[CollectionDefinition(nameof(ResidentMemoryTests), DisableParallelization = true)]
public sealed class ResidentMemoryTests;

/// <summary>Version lifetimes: hot swaps under load, and sessions released when versions are unloaded.</summary>
[Collection(nameof(ResidentMemoryTests))]
public sealed class OnnxSessionTests(ITestOutputHelper output) : IDisposable
{
    private const int Callers = SwapLoad.Callers;
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task PromoteAsync_TypedCallersDuringTwentyFourSwaps_NoFailedCall()
    {
        var testData = Fixtures.TypedTestData("tabular_mlp");
        _store.AddVersion("tabular_mlp", "1", "tabular_mlp", testData);
        using var host = await TestHost.StartAsync(b => b.AddOnnxModel<TabularFeatures, float>(
            "tabular_mlp", Mappings.Tabular, m => m.FromStore(_store.Root).RequireSelfTests()));
        var client = host.Services.GetRequiredKeyedService<IModelClient<TabularFeatures, float>>("tabular_mlp");
        var cases = Fixtures.Cases("tabular_mlp");
        var features = cases.Select(Fixtures.Tabular).ToArray();
        var expected = cases.Select(c => Fixtures.Expected("tabular_mlp", c)).ToArray();

        var (calls, failures) = await RunUnderLoadAsync(
            host,
            "tabular_mlp",
            async i =>
            {
                var result = await client.PredictAsync(features[i % features.Length]);
                return Math.Abs(result - expected[i % expected.Length]) <= 1e-5;
            },
            version => _store.AddVersion("tabular_mlp", version, "tabular_mlp", testData));

        output.WriteLine($"typed: {calls} calls during 24 swaps, {failures.Count} failed");
        Assert.Empty(failures);
        Assert.True(calls > 24 * Callers, $"only {calls} calls ran during the swaps");
        await host.StopAsync();
    }

    [Fact]
    public async Task PromoteAsync_JsonCallersDuringTwentyFourSwaps_NoFailedCall()
    {
        var testData = File.ReadAllText(Path.Combine(Fixtures.ModelsRoot, "mixed_inputs", "1", "testdata.json"));
        _store.AddVersion("mixed_inputs", "1", "mixed_inputs", testData, runtime: true);
        using var host = await TestHost.StartAsync(
            b => b.AddOnnxRuntime(),
            new Dictionary<string, string?>
            {
                ["ModelServing:Models:mixed_inputs:Runtime"] = "onnx",
                ["ModelServing:Models:mixed_inputs:Store"] = _store.Root,
                ["ModelServing:Models:mixed_inputs:RequireSelfTests"] = "true",
            });
        host.Services.GetRequiredService<IModelProvider>().TryGetJsonClient("mixed_inputs", out var client);
        var cases = Fixtures.Cases("mixed_inputs");
        var features = cases.Select(c => Fixtures.JsonFeatures("mixed_inputs", c)).ToArray();
        var expected = cases.Select(c => Fixtures.Expected("mixed_inputs", c)).ToArray();

        var (calls, failures) = await RunUnderLoadAsync(
            host,
            "mixed_inputs",
            async i =>
            {
                var prediction = await client!.PredictAsync(features[i % features.Length], version: null);
                var y = ((Tensors)prediction.Output!)["y"].GetValues<float>()[0];
                return Math.Abs(y - expected[i % expected.Length]) <= 1e-5;
            },
            version => _store.AddVersion("mixed_inputs", version, "mixed_inputs", testData, runtime: true));

        output.WriteLine($"json: {calls} calls during 24 swaps, {failures.Count} failed");
        Assert.Empty(failures);
        Assert.True(calls > 24 * Callers, $"only {calls} calls ran during the swaps");
        await host.StopAsync();
    }

    [Fact]
    public async Task LoadAndUnloadVersion_200Cycles_ResidentMemoryGrowsLessThan48MiB()
    {
        // bench_mlp (330 KB of weights): a session, its bindings or pinned buffers leaked per cycle
        // would add at least 200 × 330 KB = 66 MB.
        const long BoundBytes = 48L * 1024 * 1024;
        var testData = Fixtures.TypedTestData("bench_mlp");
        _store.AddVersion("bench_mlp", "1", "bench_mlp", testData);
        _store.AddVersion("bench_mlp", "2", "bench_mlp", testData);
        using var host = await TestHost.StartAsync(b => b.AddOnnxModel<TabularFeatures, float>(
            "bench_mlp", Mappings.Bench, m => m.FromStore(_store.Root).PinVersion("1").RequireSelfTests()));
        var manager = host.Services.GetRequiredService<IModelManager>();
        host.Services.GetRequiredService<IModelProvider>().TryGetJsonClient("bench_mlp", out var client);
        var testCase = Fixtures.Cases("bench_mlp")[0];
        var features = JsonSerializer.SerializeToElement(new { features = Fixtures.Tabular(testCase).Features });
        var expected = Fixtures.Expected("bench_mlp", testCase);

        async Task CycleAsync()
        {
            // Load (session, binding set, self-tests), predict on that version, unload (drain + dispose).
            await manager.LoadVersionAsync("bench_mlp", "2");
            var prediction = await client!.PredictAsync(features, version: "2");
            Assert.Equal(expected, (float)prediction.Output!, 1e-5);
            await manager.UnloadVersionAsync("bench_mlp", "2");
        }

        await LoadUnloadCycles.AssertResidentGrowthBelowAsync(CycleAsync, BoundBytes, output);
        Assert.Equal(["1"], manager.GetStatus("bench_mlp").Versions.Select(v => v.Version));
        await host.StopAsync();
    }

    /// <summary>Runs <see cref="SwapLoad.RunAsync"/>, then waits until the retired versions are gone, so the swaps are complete.</summary>
    private static async Task<(long Calls, List<string> Failures)> RunUnderLoadAsync(
        IHost host, string model, Func<int, Task<bool>> call, Action<string> publish)
    {
        var result = await SwapLoad.RunAsync(host, model, call, version =>
        {
            publish(version);
            return Task.CompletedTask;
        });
        await WaitForRetirementsAsync(host.Services.GetRequiredService<IModelManager>(), model);
        return result;
    }

    /// <summary>Waits until every retired version has drained and been disposed, so the swaps are complete.</summary>
    private static async Task WaitForRetirementsAsync(IModelManager manager, string model)
    {
        var watch = Stopwatch.StartNew();
        while (manager.GetStatus(model).Versions.Count > 1)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "retired versions did not drain");
            var changed = new TaskCompletionSource();
            using var registration = manager.GetChangeToken(model).RegisterChangeCallback(_ => changed.TrySetResult(), null);
            if (manager.GetStatus(model).Versions.Count > 1)
            {
                await changed.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
    }
}
