using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using TorchSharp;
using TripScoring;

namespace LyftServing.TorchSharp.Tests;

/// <summary>Typed model code on <see cref="TorchSharpModel{TFeatures, TOutput}"/>: C# modules with saved weights, and TorchScript files.</summary>
public sealed class TorchSharpModelTests : IDisposable
{
    private static readonly TripFeatures[] Trips = [new(8, 20, 1), new(1.5f, 4, 1.2f), new(30, 55, 2), new(0, 0, 1), new(12, 40, 0.8f)];

    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task SavedWeights_LoadedAsNewVersions_GiveTheOutputsOfTheSavedModules()
    {
        var expected1 = SaveTripNet("1", seed: 1);
        using var host = await TestHost.StartAsync(b => b.AddTorchSharpModel<TripModel, TripFeatures, float>("trip_late", m => m.FromStore(_store.Root).RequireSelfTests()));
        var client = host.Services.GetRequiredKeyedService<IModelClient<TripFeatures, float>>("trip_late");
        var manager = host.Services.GetRequiredService<IModelManager>();
        var first = await PredictAllAsync(client);

        var expected2 = SaveTripNet("2", seed: 2);
        await manager.RefreshAsync("trip_late");
        var second = await PredictAllAsync(client);

        Assert.Equal("2", manager.GetStatus("trip_late").PrimaryVersion);
        Assert.Equal(expected1, first, new FloatComparer(1e-6f));
        Assert.Equal(expected2, second, new FloatComparer(1e-6f));
        Assert.NotEqual(first, second, new FloatComparer(1e-6f));
        Assert.Equal(5, manager.GetStatus("trip_late").Versions.Single(v => v.Version == "2").SelfTests!.Passed);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictBatch_Rows_RunAsOneForwardCall()
    {
        SaveTripNet("1", seed: 3);
        var (model, services) = await TestHost.LoadModelAsync<TripModel, TripFeatures, float>("trip_late", Path.Combine(_store.Root, "trip_late", "1"), b => b.AddModelSettings<TorchSharpSettings>(TorchSharpSettings.SectionName));
        using var _ = services;
        using var __ = model;
        var outputs = new float[Trips.Length];

        model.PredictBatch(Trips, outputs);

        Assert.Equal(Trips.Select(model.Predict), outputs, new FloatComparer(1e-6f));
    }

    [Fact]
    public async Task PredictAsync_DynamicBatching_CoalescesConcurrentCallsIntoOneForwardCall()
    {
        var net = new ProbeNet();
        _store.AddVersion("probe", "1", from: null);
        using var host = await TestHost.StartAsync(
            b => b.AddTorchSharpModel<ProbeModel, float, float>("probe", m => m.FromStore(_store.Root).UseDynamicBatching(16, TimeSpan.FromMilliseconds(20))),
            services: s => s.AddSingleton(net));
        using var batchSizes = new MetricCollector<int>(host.Services.GetRequiredService<IMeterFactory>(), "LyftServing", "lyftserving.batch.size");
        var client = host.Services.GetRequiredKeyedService<IModelClient<float, float>>("probe");

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(async () => await client.PredictAsync(i))));

        Assert.Equal(Enumerable.Range(0, 32).Select(i => i * 2f), results);
        Assert.Contains(net.Rows, rows => rows > 1);
        Assert.Contains(batchSizes.GetMeasurementSnapshot(), m => m.Value > 1);
        await host.StopAsync();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Predict_EveryCall_RunsInInferenceModeWithTheModelsThreadsAndFreesItsTensors(int threads)
    {
        var net = new ProbeNet();
        _store.AddVersion("probe", "1", from: null);
        var (model, services) = await TestHost.LoadModelAsync<ProbeModel, float, float>(
            "probe",
            Path.Combine(_store.Root, "probe", "1"),
            b => b.AddTorchSharpModel<ProbeModel, float, float>("probe", m => m.ConfigureTorchSharp(s => s.IntraOpThreads = threads)),
            sp => ActivatorUtilities.CreateInstance<ProbeModel>(sp, net));
        using var _ = services;
        using var __ = model;
        torch.set_num_threads(threads == 1 ? 2 : 1);
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(i * 2f, model.Predict(i));
        }

        model.PredictBatch([1f, 2f, 3f], new float[3]);

        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        Assert.False(net.GradEnabled);
        Assert.True(net.InferenceMode);
        Assert.Equal(threads, net.Threads);
        Assert.False(torch.is_inference_mode_enabled());
    }

    [Fact]
    public async Task Dispose_WhileACallRuns_ReleasesTheModuleOnlyAfterTheCallReturns()
    {
        var net = new ProbeNet { Hold = new ManualResetEventSlim() };
        _store.AddVersion("probe", "1", from: null);
        var (model, services) = await TestHost.LoadModelAsync<ProbeModel, float, float>(
            "probe", Path.Combine(_store.Root, "probe", "1"), b => b.AddTorchSharpModel<ProbeModel, float, float>("probe"), sp => ActivatorUtilities.CreateInstance<ProbeModel>(sp, net));
        using var _ = services;

        var call = Task.Factory.StartNew(() => model.Predict(21), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.True(net.Entered.Wait(TimeSpan.FromSeconds(30)));
        model.Dispose();
        var disposedDuringCall = net.IsDisposed;
        net.Hold.Set();
        var result = await call;

        Assert.False(disposedDuringCall);
        Assert.Equal(42f, result);
        Assert.True(net.IsDisposed);
        var error = Assert.Throws<ObjectDisposedException>(() => model.Predict(1));
        Assert.Contains("Model 'probe' version '1' has been unloaded", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tabular_mlp")]
    [InlineData("bench_mlp")]
    public async Task TorchScriptFile_TypedFeatures_ReproduceTheFixtureOutputs(string fixture)
    {
        var cases = Assets.FixtureCases(fixture);
        var testData = new JsonArray([.. cases.Select(c => (JsonNode)new JsonObject
        {
            ["features"] = c["features"]!.DeepClone(),
            ["expected"] = c[Assets.OutputName(fixture)]!.DeepClone(),
            ["tolerance"] = 1e-5,
        })]);
        _store.AddVersion(fixture, "1", Assets.TorchScript(fixture), dir =>
        {
            File.Delete(Path.Combine(dir, "model.json"));
            File.WriteAllText(Path.Combine(dir, "testdata.json"), testData.ToJsonString());
        });
        using var host = await TestHost.StartAsync(b => b.AddTorchSharpModel<TabularModel, float[], float>(fixture, m => m.FromStore(_store.Root).RequireSelfTests()));
        var client = host.Services.GetRequiredKeyedService<IModelClient<float[], float>>(fixture);

        foreach (var testCase in cases)
        {
            Assert.Equal(testCase[Assets.OutputName(fixture)]!.GetValue<float>(), await client.PredictAsync(Assets.Floats(testCase["features"]!)), 1e-5f);
        }

        var version = host.Services.GetRequiredService<IModelManager>().GetStatus(fixture).Versions.Single();
        Assert.Equal((5, 0), (version.SelfTests!.Passed, version.SelfTests.Failed));
        await host.StopAsync();
    }

    [Fact]
    public async Task LoadAsync_TorchScriptDeclarationsInModelJson_FailsNamingTheRuntimeThatReadsThem()
    {
        SaveTripNet("1", seed: 1);
        File.WriteAllText(Path.Combine(_store.Root, "trip_late", "1", "model.json"), """{"properties": {"inputs": ["trips"]}}""");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestHost.LoadModelAsync<TripModel, TripFeatures, float>(
            "trip_late", Path.Combine(_store.Root, "trip_late", "1"), b => b.AddModelSettings<TorchSharpSettings>(TorchSharpSettings.SectionName)));

        Assert.Equal(
            "Model 'trip_late' version '1' declares TorchSharp inputs or outputs, which only the torchscript runtime reads; TripModel maps its features in CreateInput and its outputs in ReadOutput.",
            error.Message);
    }

    [Fact]
    public async Task LoadAsync_CudaOnACpuBuildOfLibtorch_FailsSayingWhichPackageToReference()
    {
        SaveTripNet("1", seed: 1);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestHost.LoadModelAsync<TripModel, TripFeatures, float>(
            "trip_late", Path.Combine(_store.Root, "trip_late", "1"), b => b.AddTorchSharpModel<TripModel, TripFeatures, float>("trip_late", m => m.ConfigureTorchSharp(s => s.Device = "cuda"))));

        Assert.StartsWith("Model 'trip_late' asks for the device 'cuda' (TorchSharp Device setting), but this libtorch has no CUDA support or sees no GPU.", error.Message, StringComparison.Ordinal);
        Assert.Contains("libtorch-cuda-12.8-linux-x64", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TripNet.cs")]
    [InlineData("TripModel.cs")]
    public void HowTo_ShowsTheSampleCodeAsItIs(string file)
    {
        var howTo = File.ReadAllText(Path.Combine(RepositoryRoot.FullPath, "docs/how-to/serve-pytorch-models.md")).ReplaceLineEndings("\n");
        var code = File.ReadAllText(Path.Combine(RepositoryRoot.FullPath, "samples/TripScoring", file)).ReplaceLineEndings("\n").TrimEnd();

        Assert.Contains($"```csharp\n{code}\n```", howTo, StringComparison.Ordinal);
    }

    /// <summary>Saves a freshly initialised TripNet as version <paramref name="version"/> with self-tests, and returns its outputs for <see cref="Trips"/>.</summary>
    private float[] SaveTripNet(string version, int seed)
    {
        torch.manual_seed(seed);
        using var net = new TripNet();
        net.eval();
        float[] expected;
        using (torch.no_grad())
        {
            using var input = torch.tensor(Trips.SelectMany(t => new[] { t.DistanceKm, t.Minutes, t.Surge }).ToArray(), [Trips.Length, 3]);
            using var output = net.call(input);
            expected = output.data<float>().ToArray();
        }

        var testData = JsonSerializer.Serialize(Trips.Select((t, i) => new { features = t, expected = expected[i], tolerance = 1e-6 }));
        var directory = Path.Combine(_store.Root, "trip_late", version);
        Directory.CreateDirectory(directory);
        net.save(Path.Combine(directory, "weights.dat"));
        File.WriteAllText(Path.Combine(directory, "testdata.json"), testData);
        return expected;
    }

    private static async Task<float[]> PredictAllAsync(IModelClient<TripFeatures, float> client)
    {
        var results = new float[Trips.Length];
        for (var i = 0; i < Trips.Length; i++)
        {
            results[i] = await client.PredictAsync(Trips[i]);
        }

        return results;
    }

    private sealed class FloatComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
