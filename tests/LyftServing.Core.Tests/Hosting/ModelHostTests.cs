using LyftServing.Tests.TestModels;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace LyftServing.Tests.Hosting;

public sealed class ModelHostTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    private IHost Build(Action<ModelBuilder<NumberFeatures, double>>? configure = null, FakeTimeProvider? time = null)
    {
        var builder = TestHost.CreateBuilder(time);
        builder.Services.AddModelServing().AddModel<LinearModel, NumberFeatures, double>("lin", m =>
        {
            m.FromStore(_store.Root);
            configure?.Invoke(m);
        });
        return builder.Build();
    }

    [Fact]
    public async Task Start_SeveralVersions_ServesNewestByNumericOrder()
    {
        _store.AddVersion("lin", "9", weight: 9);
        _store.AddVersion("lin", "10", weight: 10);
        _store.AddVersion("lin", "2", weight: 2);
        using var host = Build();

        await host.StartAsync();

        Assert.Equal(20, await host.Client("lin").PredictAsync(new NumberFeatures(2)));
        var status = host.Manager().GetStatus("lin");
        Assert.Equal("10", status.PrimaryVersion);
        var version = Assert.Single(status.Versions);
        Assert.Equal(ModelVersionState.Ready, version.State);
        Assert.Equal(ModelVersionRole.Primary, version.Role);
        Assert.StartsWith("sha256:", version.ContentHash, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_PinnedVersion_ServesPinnedVersion()
    {
        _store.AddVersion("lin", "1", weight: 1);
        _store.AddVersion("lin", "2", weight: 2);
        using var host = Build(m => m.PinVersion("1"));

        await host.StartAsync();

        Assert.Equal(3, await host.Client("lin").PredictAsync(new NumberFeatures(3)));
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_PinnedVersionMissing_FailsNamingModelAndVersion()
    {
        _store.AddVersion("lin", "1", weight: 1);
        using var host = Build(m => m.PinVersion("7"));

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => host.StartAsync());

        Assert.Equal("Model 'lin' is pinned to version '7', which is not in its store (found: 1).", error.Message);
    }

    [Fact]
    public async Task Start_StoreRootMissing_FailsNamingModelAndRoot()
    {
        var missing = Path.Combine(_store.Root, "does-not-exist");
        var builder = TestHost.CreateBuilder();
        builder.Services.AddModelServing().AddModel<LinearModel, NumberFeatures, double>("lin", m => m.FromStore(missing));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => host.StartAsync());

        Assert.Equal($"Model 'lin' could not list its versions: The model store root '{missing}' does not exist.", error.Message);
    }

    [Fact]
    public async Task Start_ModelFolderMissing_FailsNamingExpectedFolder()
    {
        using var host = Build();

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => host.StartAsync());

        Assert.Equal(
            $"Model 'lin' could not list its versions: Model 'lin' has no folder in the model store '{_store.Root}' (expected '{Path.Combine(_store.Root, "lin")}').",
            error.Message);
    }

    [Fact]
    public async Task Start_FirstLoadThrows_FailsNamingModelVersionAndCause()
    {
        _store.AddVersion("lin", "3", weight: 1, failWith: "weights are corrupt");
        using var host = Build();

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => host.StartAsync());

        Assert.Equal("Model 'lin' version '3' failed to load: InvalidDataException: weights are corrupt", error.Message);
        Assert.Equal("3", error.Version);
        Assert.IsType<InvalidDataException>(error.InnerException);
        Assert.All(host.Tracker().Created, m => Assert.True(m.IsDisposed));
    }

    [Fact]
    public async Task Start_OptionalModelFails_HostStartsAndModelIsNotReady()
    {
        _store.AddVersion("lin", "1", weight: 1, failWith: "broken");
        using var host = Build(m => m.Optional());

        await host.StartAsync();

        var error = await Assert.ThrowsAsync<ModelNotReadyException>(async () => await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        Assert.Equal("Model 'lin' has no version ready to serve yet.", error.Message);
        var status = host.Manager().GetStatus("lin");
        Assert.Null(status.PrimaryVersion);
        Assert.Equal("Model 'lin' version '1' failed to load: InvalidDataException: broken", status.LastError?.Message);
        Assert.Equal(ModelVersionState.Failed, Assert.Single(status.Versions).State);
        await host.StopAsync();
    }

    [Fact]
    public async Task Promote_LoadThrows_KeepsPreviousVersionServing()
    {
        _store.AddVersion("lin", "1", weight: 1);
        using var host = Build();
        await host.StartAsync();
        _store.AddVersion("lin", "2", weight: 2, failWith: "bad file");

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => host.Manager().PromoteAsync("lin", "2"));

        Assert.Equal("Model 'lin' version '2' failed to load: InvalidDataException: bad file", error.Message);
        Assert.Equal(5, await host.Client("lin").PredictAsync(new NumberFeatures(5)));
        var status = host.Manager().GetStatus("lin");
        Assert.Equal("1", status.PrimaryVersion);
        Assert.Equal(["2:Failed", "1:Ready"], status.Versions.Select(v => $"{v.Version}:{v.State}"));
        Assert.Equal(typeof(InvalidDataException).FullName, status.Versions[0].Error?.ErrorType);
        await host.StopAsync();
    }

    [Fact]
    public async Task Promote_RequiredSelfTestFails_KeepsPreviousVersionServing()
    {
        const string testData = """[{"name": "doubles", "features": {"x": 2}, "expected": 4}]""";
        _store.AddVersion("lin", "1", weight: 2, testData: testData);
        using var host = Build(m => m.RequireSelfTests());
        await host.StartAsync();
        _store.AddVersion("lin", "2", weight: 3, testData: testData);

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => host.Manager().PromoteAsync("lin", "2"));

        Assert.Equal("Model 'lin' version '2' failed its self-tests: 1 of 1 cases failed; first: 'doubles': $: expected 4, got 6 (difference 2, tolerance 1E-05).", error.Message);
        Assert.Equal(4, await host.Client("lin").PredictAsync(new NumberFeatures(2)));
        var failed = host.Manager().GetStatus("lin").Versions.Single(v => v.Version == "2");
        Assert.Equal(ModelVersionState.Failed, failed.State);
        Assert.Equal(1, failed.SelfTests?.Failed);
        Assert.All(host.Tracker().Created.Where(m => m.Version == "2"), m => Assert.True(m.IsDisposed));
        await host.StopAsync();
    }

    [Fact]
    public async Task Promote_SelfTestsFailWithoutRequireSelfTests_KeepsPreviousVersionServing()
    {
        // Defect 0: failing self-tests block a version whether or not RequireSelfTests is set.
        _store.AddVersion("lin", "1", weight: 2);
        using var host = Build();
        await host.StartAsync();
        _store.AddVersion("lin", "2", weight: 3, testData: """[{"features": {"x": 1}, "expected": 2}]""");

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => host.Manager().PromoteAsync("lin", "2"));

        Assert.Equal("Model 'lin' version '2' failed its self-tests: 1 of 1 cases failed; first: 'testdata.json case 1': $: expected 2, got 3 (difference 1, tolerance 1E-05).", error.Message);
        Assert.Equal(2, await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        var failed = host.Manager().GetStatus("lin").Versions.Single(v => v.Version == "2");
        Assert.Equal(ModelVersionState.Failed, failed.State);
        Assert.False(failed.SelfTests?.Succeeded);
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_RequireSelfTestsWithoutCases_FailsWithHowToFix()
    {
        _store.AddVersion("lin", "1", weight: 2);
        using var host = Build(m => m.RequireSelfTests());

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => host.StartAsync());

        Assert.Equal("Model 'lin' version '1' has no self-test cases, and RequireSelfTests is set: add testdata.json to the version or implement IModelTestData.", error.Message);
    }

    [Fact]
    public async Task Start_InvalidTestData_FailsNamingTheFile()
    {
        _store.AddVersion("lin", "1", weight: 2, testData: """[{"features": {"x": "two"}, "expected": 4}]""");
        using var host = Build();

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => host.StartAsync());

        Assert.StartsWith("Model 'lin' version '1' failed to load: InvalidDataException: testdata.json is not valid at '$[0].features.x'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_CallInFlight_OldVersionDrainsBeforeDisposal()
    {
        _store.AddVersion("lin", "1", weight: 1);
        using var host = Build();
        await host.StartAsync();
        var tracker = host.Tracker();
        var client = host.Client("lin");

        // A call on version 1 is in flight while version 2 is promoted.
        var gate = new SemaphoreSlim(0);
        tracker.PredictGate = gate;
        var inFlight = Task.Run(() => client.PredictAsync(new NumberFeatures(10)).AsTask());
        await tracker.PredictEntered.WaitAsync(TimeSpan.FromSeconds(10));
        tracker.PredictGate = null;
        _store.AddVersion("lin", "2", weight: 2);
        await host.Manager().PromoteAsync("lin", "2");

        Assert.Equal(20, await client.PredictAsync(new NumberFeatures(10)));
        var v1 = tracker.Created.Single(m => m.Version == "1");
        Assert.False(v1.IsDisposed);
        Assert.Equal(ModelVersionState.Draining, host.Manager().GetStatus("lin").Versions.Single(v => v.Version == "1").State);

        // The in-flight call completes on version 1, which is disposed only then.
        gate.Release();
        Assert.Equal(10, await inFlight);
        await host.WaitForStatusAsync("lin", s => s.Versions.All(v => v.Version != "1"));
        Assert.True(v1.IsDisposed);
        Assert.Equal(0, tracker.CallsOnDisposedInstances);
        await host.StopAsync();
    }

    [Fact]
    public async Task Promote_CallOutlivesDrainTimeout_WarnsAndNeverDisposesWhileInUse()
    {
        // Defect 1: DrainTimeout 500 ms, a long Predict on the old version, a swap.
        var time = new FakeTimeProvider();
        _store.AddVersion("lin", "1", weight: 1);
        using var host = Build(m => m.Configure(o => o.DrainTimeout = TimeSpan.FromMilliseconds(500)), time);
        await host.StartAsync();
        var tracker = host.Tracker();
        var gate = new SemaphoreSlim(0);
        tracker.PredictGate = gate;
        var inFlight = Task.Run(() => host.Client("lin").PredictAsync(new NumberFeatures(10)).AsTask());
        await tracker.PredictEntered.WaitAsync(TimeSpan.FromSeconds(10));
        tracker.PredictGate = null;
        _store.AddVersion("lin", "2", weight: 2);
        await host.Manager().PromoteAsync("lin", "2");
        var v1 = tracker.Created.Single(m => m.Version == "1");

        using var overdue = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), ModelServingTelemetry.MeterName, "lyftserving.model.drain.overdue");
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => host.Logs().GetSnapshot().Any(r => r.Id.Name == "VersionDrainTimedOut"), "the drain timeout passed");
        await host.WaitForStatusAsync("lin", s => s.Versions.All(v => v.Version != "1") || s.Versions.Any(v => v.Version == "1" && v.Error is not null));

        Assert.False(v1.IsDisposed, "version 1 was disposed while a call was still running on it");
        var draining = host.Manager().GetStatus("lin").Versions.Single(v => v.Version == "1");
        Assert.Equal(ModelVersionState.Draining, draining.State);
        Assert.Contains("1 call", draining.Error?.Message, StringComparison.Ordinal);
        Assert.Equal(("lyftserving.drain_overdue", 1), (draining.Error?.ErrorType, draining.InFlight));
        Assert.Equal(1, overdue.GetMeasurementSnapshot().Sum(m => m.Value));
        gate.Release();
        Assert.Equal(10, await inFlight);
        await host.WaitForStatusAsync("lin", s => s.Versions.All(v => v.Version != "1"));
        Assert.True(v1.IsDisposed);
        Assert.Equal(0, tracker.CallsOnDisposedInstances);
        await host.StopAsync();
    }

    [Fact]
    public async Task Poll_NewVersionPublished_PromotesAfterInterval()
    {
        var time = new FakeTimeProvider();
        _store.AddVersion("lin", "1", weight: 1);
        using var host = Build(m => m.WatchForNewVersions(TimeSpan.FromSeconds(30)), time);
        await host.StartAsync();
        _store.AddVersion("lin", "2", weight: 2);

        // Polls are jittered down by up to a fifth of the interval, never up: between 24 and 30 seconds.
        time.Advance(TimeSpan.FromSeconds(23));
        Assert.Equal("1", host.Manager().GetStatus("lin").PrimaryVersion);
        time.Advance(TimeSpan.FromSeconds(7));
        await host.WaitForStatusAsync("lin", s => s.PrimaryVersion == "2");

        Assert.Equal(2, await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        await host.StopAsync();
    }

    [Fact]
    public async Task Poll_FailedVersion_RetriedOnlyAfterItChanges()
    {
        var time = new FakeTimeProvider();
        _store.AddVersion("lin", "1", weight: 1);
        using var host = Build(m => m.WatchForNewVersions(TimeSpan.FromSeconds(10)), time);
        await host.StartAsync();
        var broken = _store.AddVersion("lin", "2", weight: 2, failWith: "half-copied");
        File.SetLastWriteTimeUtc(Path.Combine(broken, "fail.txt"), new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        time.Advance(TimeSpan.FromSeconds(10));
        await host.WaitForStatusAsync("lin", s => s.Versions.Any(v => v.Version == "2" && v.State == ModelVersionState.Failed));
        var loadsAfterFailure = host.Tracker().Created.Count;
        time.Advance(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(10));
        await host.Manager().LoadVersionAsync("lin", "1"); // waits for any poll in progress to finish
        Assert.Equal(loadsAfterFailure, host.Tracker().Created.Count);

        // The copy completes: the version changes and is retried.
        File.Delete(Path.Combine(broken, "fail.txt"));
        time.Advance(TimeSpan.FromSeconds(10));
        await host.WaitForStatusAsync("lin", s => s.PrimaryVersion == "2");
        Assert.Equal(2, await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        await host.StopAsync();
    }

    [Fact]
    public async Task RollBack_AfterPromotion_ServesPreviousVersionUntilANewerOneIsPublished()
    {
        var time = new FakeTimeProvider();
        _store.AddVersion("lin", "1", weight: 1);
        using var host = Build(m => m.WatchForNewVersions(TimeSpan.FromSeconds(10)), time);
        await host.StartAsync();
        _store.AddVersion("lin", "2", weight: 2);
        await host.Manager().RefreshAsync("lin");
        Assert.Equal("2", host.Manager().GetStatus("lin").PrimaryVersion);

        Assert.Equal("1", await host.Manager().RollBackAsync("lin"));
        time.Advance(TimeSpan.FromSeconds(10));
        await host.Manager().RefreshAsync("lin");

        Assert.Equal(1, await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        _store.AddVersion("lin", "3", weight: 3);
        await host.Manager().RefreshAsync("lin");
        Assert.Equal(3, await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        var error = await Assert.ThrowsAsync<ModelConflictException>(async () =>
        {
            await host.Manager().RollBackAsync("lin");
            await host.Manager().RollBackAsync("lin");
        });
        Assert.Equal(ModelConflict.NothingToRollBackTo, error.Conflict);
        Assert.Equal("Model 'lin' has no earlier primary version to roll back to.", error.Message);
        await host.StopAsync();
    }

    [Fact]
    public async Task Operations_VersionNotInTheStore_ModelNotFoundAndNothingRecorded()
    {
        _store.AddVersion("lin", "1", weight: 1);
        using var host = Build();
        await host.StartAsync();
        var manager = host.Manager();

        var promote = await Assert.ThrowsAsync<ModelNotFoundException>(() => manager.PromoteAsync("lin", "9"));
        await Assert.ThrowsAsync<ModelNotFoundException>(() => manager.PinAsync("lin", "9"));
        await Assert.ThrowsAsync<ModelNotFoundException>(() => manager.SetShadowAsync("lin", "9"));
        await Assert.ThrowsAsync<ModelNotFoundException>(() => manager.LoadVersionAsync("lin", "9"));
        var shadowPrimary = await Assert.ThrowsAsync<ModelConflictException>(() => manager.SetShadowAsync("lin", "1"));

        Assert.Equal(("9", "Model 'lin' has no version '9' in its store."), (promote.Version, promote.Message));
        Assert.Equal(ModelConflict.VersionIsPrimary, shadowPrimary.Conflict);
        var status = manager.GetStatus("lin");
        Assert.Equal(("1", null), (status.PrimaryVersion, status.Decision?.PrimaryVersion));
        Assert.Equal(["1"], status.Versions.Select(v => v.Version));
        await host.StopAsync();
    }

    [Fact]
    public async Task LoadVersion_SideBySide_ServesCallsThatNameItAndUnloads()
    {
        _store.AddVersion("lin", "1", weight: 1);
        _store.AddVersion("lin", "2", weight: 2);
        using var host = Build(m => m.PinVersion("1"));
        await host.StartAsync();
        var json = host.Services.GetRequiredService<IModelProvider>().TryGetJsonClient("lin", out var c) ? c : null;
        Assert.NotNull(json);
        var features = System.Text.Json.JsonDocument.Parse("""{"x": 3}""").RootElement;

        await Assert.ThrowsAsync<ModelNotFoundException>(async () => await json.PredictAsync(features, "2"));
        var loaded = await host.Manager().LoadVersionAsync("lin", "2");
        var result = await json.PredictAsync(features, "2");
        var primary = await json.PredictAsync(features, null);

        Assert.Equal(ModelVersionState.Ready, loaded.State);
        Assert.Equal(ModelVersionRole.None, loaded.Role);
        Assert.Equal(("2", 6d), (result.ModelVersion, (double)result.Output!));
        Assert.Equal(("1", 3d), (primary.ModelVersion, (double)primary.Output!));
        var unloadPrimary = await Assert.ThrowsAsync<ModelConflictException>(() => host.Manager().UnloadVersionAsync("lin", "1"));
        Assert.Equal((ModelConflict.VersionIsPrimary, "1"), (unloadPrimary.Conflict, unloadPrimary.Version));
        Assert.Equal("Version '1' is the primary of model 'lin'; promote another version before unloading it.", unloadPrimary.Message);
        await host.Manager().UnloadVersionAsync("lin", "2");
        Assert.True(host.Tracker().Created.Single(m => m.Version == "2").IsDisposed);
        var notFound = await Assert.ThrowsAsync<ModelNotFoundException>(async () => await json.PredictAsync(features, "2"));
        Assert.Equal("Model 'lin' has no loaded version '2'.", notFound.Message);
        await host.StopAsync();
    }

    [Fact]
    public async Task Stop_LoadedVersions_DrainsAndDisposesAllAndRefusesCalls()
    {
        _store.AddVersion("lin", "1", weight: 1);
        _store.AddVersion("lin", "2", weight: 2);
        using var host = Build();
        await host.StartAsync();
        await host.Manager().LoadVersionAsync("lin", "1");
        var client = host.Client("lin");

        await host.StopAsync();

        Assert.All(host.Tracker().Created, m => Assert.True(m.IsDisposed));
        Assert.Equal(2, host.Tracker().Created.Count);
        var error = await Assert.ThrowsAsync<ModelNotReadyException>(async () => await client.PredictAsync(new NumberFeatures(1)));
        Assert.Equal("Model 'lin' is stopping.", error.Message);
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(10)); // stopping again is harmless
    }

    [Fact]
    public async Task Manager_UnknownModel_ThrowsModelNotFound()
    {
        _store.AddVersion("lin", "1", weight: 1);
        using var host = Build();
        await host.StartAsync();

        var error = await Assert.ThrowsAsync<ModelNotFoundException>(() => host.Manager().PromoteAsync("nope", "1"));

        Assert.Equal("No model named 'nope' is served here.", error.Message);
        Assert.Throws<ModelNotFoundException>(() => host.Manager().GetStatus("nope"));
        await host.StopAsync();
    }

    [Fact]
    public async Task Promote_InvalidVersionName_ThrowsArgumentException()
    {
        _store.AddVersion("lin", "1", weight: 1);
        using var host = Build();
        await host.StartAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => host.Manager().PromoteAsync("lin", "../../etc"));

        Assert.StartsWith("'../../etc' is not a valid name", error.Message, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_InvalidVersionFolder_IsIgnoredWithWarning()
    {
        _store.AddVersion("lin", "1", weight: 1);
        _store.AddVersion("lin", "Latest", weight: 5);
        using var host = Build();

        await host.StartAsync();

        Assert.Equal("1", host.Manager().GetStatus("lin").PrimaryVersion);
        Assert.Contains(host.Logs().GetSnapshot(), r => r.Id.Name == "InvalidVersionNameSkipped" && r.Message.Contains("'Latest'", StringComparison.Ordinal));
        await host.StopAsync();
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, null)]
    [InlineData(false, "corrupt weights")]
    public async Task Start_NewestVersionCannotServe_FallsBackToTheNewestThatCanAndReportsTheSkippedOne(bool requireSelfTests, string? failWith)
    {
        // Defect 6: a newest version that fails must not turn a restart into a crash loop.
        const string testData = """[{"features": {"x": 1}, "expected": 1}]""";
        _store.AddVersion("lin", "1", weight: 1, testData: testData);
        _store.AddVersion("lin", "2", weight: 5, testData: testData, failWith: failWith);
        using var host = Build(m => m.RequireSelfTests(requireSelfTests));

        await host.StartAsync();

        Assert.Equal(1, await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        var status = host.Manager().GetStatus("lin");
        Assert.Equal("1", status.PrimaryVersion);
        Assert.Equal(ModelVersionState.Failed, status.Versions.Single(v => v.Version == "2").State);
        Assert.Contains(host.Logs().GetSnapshot(), r => r.Id.Name == "VersionLoadFailed" && r.Message.Contains("'lin' version '2'", StringComparison.Ordinal));
        await host.StopAsync();
    }

    [Fact]
    public async Task RollBack_ThenRestart_ServesTheRolledBackVersion()
    {
        // Defect 7: an operator's rollback survives a restart.
        _store.AddVersion("lin", "1", weight: 1);
        _store.AddVersion("lin", "2", weight: 2);
        using (var first = Build())
        {
            await first.StartAsync();
            await first.Manager().PromoteAsync("lin", "1");
            await first.Manager().PromoteAsync("lin", "2");
            Assert.Equal("1", await first.Manager().RollBackAsync("lin"));
            await first.StopAsync();
        }

        using var restarted = Build();
        await restarted.StartAsync();

        Assert.Equal("1", restarted.Manager().GetStatus("lin").PrimaryVersion);
        Assert.Equal(3, await restarted.Client("lin").PredictAsync(new NumberFeatures(3)));
        await restarted.StopAsync();
    }

    [Fact]
    public async Task RollBack_OnOneReplica_EveryReplicaOfTheStoreFollowsOnItsNextPoll()
    {
        // Defect 7: a decision is visible to every replica reading the same store.
        var timeA = new FakeTimeProvider();
        var timeB = new FakeTimeProvider();
        _store.AddVersion("lin", "1", weight: 1);
        using var a = Build(m => m.WatchForNewVersions(TimeSpan.FromSeconds(10)), timeA);
        using var b = Build(m => m.WatchForNewVersions(TimeSpan.FromSeconds(10)), timeB);
        await a.StartAsync();
        await b.StartAsync();
        _store.AddVersion("lin", "2", weight: 2);
        await a.Manager().RefreshAsync("lin");
        await b.Manager().RefreshAsync("lin");

        Assert.Equal("1", await a.Manager().RollBackAsync("lin"));
        timeB.Advance(TimeSpan.FromSeconds(10));

        await b.WaitForStatusAsync("lin", s => s.PrimaryVersion == "1", TimeSpan.FromSeconds(5));
        Assert.Equal(1, await b.Client("lin").PredictAsync(new NumberFeatures(1)));
        await a.StopAsync();
        await b.StopAsync();
    }

    [Fact]
    public async Task Stop_ThenCallThroughEveryStage_ThrowsModelNotReady()
    {
        // After stop, every pipeline shape answers "not ready" (503 over HTTP), never an internal error.
        _store.AddVersion("lin", "1", weight: 1);
        _store.AddVersion("batch", "1", weight: 1);
        var builder = TestHost.CreateBuilder();
        builder.Services.AddModelServing()
            .AddModel<LinearModel, NumberFeatures, double>("lin", m => m.FromStore(_store.Root).LimitConcurrency(2, 2).WithTimeout(TimeSpan.FromSeconds(5)).LogPredictions())
            .AddModel<BatchLinearModel, NumberFeatures, double>("batch", m => m.FromStore(_store.Root).UseDynamicBatching(4, TimeSpan.Zero));
        using var host = builder.Build();
        await host.StartAsync();

        await host.StopAsync();

        await Assert.ThrowsAsync<ModelNotReadyException>(async () => await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        await Assert.ThrowsAsync<ModelNotReadyException>(async () => await host.Client("batch").PredictAsync(new NumberFeatures(1)));
    }

    [Fact]
    public async Task Start_RequiredModelCannotServe_DisposesWhatTheOtherModelsLoaded()
    {
        _store.AddVersion("lin", "1", weight: 1);
        _store.AddVersion("bad", "1", weight: 1, failWith: "broken");
        var builder = TestHost.CreateBuilder();
        builder.Services.AddModelServing()
            .AddModel<LinearModel, NumberFeatures, double>("lin", m => m.FromStore(_store.Root))
            .AddModel<LinearModel, NumberFeatures, double>("bad", m => m.FromStore(_store.Root));
        using var host = builder.Build();

        await Assert.ThrowsAsync<ModelLoadException>(() => host.StartAsync());

        var tracker = host.Tracker();
        Assert.Equal(2, tracker.Created.Count);
        Assert.All(tracker.Created, m => Assert.True(m.IsDisposed, $"version {m.Version} was loaded by a failed start and never disposed"));
    }

    [Fact]
    public async Task Stop_WhileALoadIgnoresItsToken_IsBoundedDisposesTheServingVersionAndFlushesThePredictionLog()
    {
        _store.AddVersion("lin", "1", weight: 1);
        var sink = new FlushRecordingSink();
        var builder = TestHost.CreateBuilder();
        builder.Services.AddSingleton<IPredictionSink>(sink);
        builder.Services.AddModelServing().AddModel<LinearModel, NumberFeatures, double>("lin", m => m.FromStore(_store.Root).LogPredictions());
        using var host = builder.Build();
        await host.StartAsync();
        await host.Client("lin").PredictAsync(new NumberFeatures(1));
        _store.AddVersion("lin", "2", weight: 2, behavior: "hang-load");
        var refresh = host.Manager().RefreshAsync("lin");
        await host.Tracker().LoadEntered.WaitAsync(TimeSpan.FromSeconds(10));

        using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var stopped = await Task.WhenAny(host.StopAsync(shutdown.Token), Task.Delay(TimeSpan.FromSeconds(10)));

        Assert.True(stopped is not Task<Task>, "stop did not finish");
        Assert.True(host.Tracker().Created.Single(m => m.Version == "1").IsDisposed, "the serving version was not disposed");
        Assert.Equal(1, sink.Written);
        Assert.True(sink.Flushed, "the prediction log was not flushed");
        host.Tracker().LoadGate.Release();
        await Assert.ThrowsAnyAsync<Exception>(() => refresh);
        await Eventually.TrueAsync(() => host.Tracker().Created.Single(m => m.Version == "2").IsDisposed, "the late load is disposed");
    }

    [Fact]
    public async Task Promote_SelfTestsFailAndModelIsReportOnly_PromotesAndReportsTheFailure()
    {
        _store.AddVersion("lin", "1", weight: 2);
        using var host = Build(m => m.ReportSelfTestsOnly());
        await host.StartAsync();
        _store.AddVersion("lin", "2", weight: 3, testData: """[{"features": {"x": 1}, "expected": 2}]""");

        await host.Manager().PromoteAsync("lin", "2");

        Assert.Equal(3, await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        var report = host.Manager().GetStatus("lin").Versions.Single(v => v.Version == "2").SelfTests;
        Assert.False(report?.Succeeded);
        Assert.Contains(host.Logs().GetSnapshot(), r => r.Id.Name == "SelfTestsFailed");
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_NewestVersionFailsSelfTests_ReportsTheSkippedVersionInMetricsAndLogs()
    {
        const string testData = """[{"features": {"x": 1}, "expected": 1}]""";
        _store.AddVersion("lin", "1", weight: 1, testData: testData);
        _store.AddVersion("lin", "2", weight: 5, testData: testData);
        using var host = Build();
        using var runs = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), ModelServingTelemetry.MeterName, "lyftserving.self_test.runs");
        using var loads = new MetricCollector<double>(host.Services.GetRequiredService<IMeterFactory>(), ModelServingTelemetry.MeterName, "lyftserving.model.load.duration");

        await host.StartAsync();

        Assert.Contains(runs.GetMeasurementSnapshot(), m => (string?)m.Tags[ModelServingTelemetry.ModelVersionTag] == "2" && (string?)m.Tags[ModelServingTelemetry.SelfTestResultTag] == "fail");
        Assert.Contains(loads.GetMeasurementSnapshot(), m => (string?)m.Tags[ModelServingTelemetry.ModelVersionTag] == "2" && m.Tags.ContainsKey(ModelServingTelemetry.ErrorTypeTag));
        Assert.Contains(host.Logs().GetSnapshot(), r => r.Id.Name == "StartedOnFallback" && r.Message.Contains("serves version '1'", StringComparison.Ordinal));
        Assert.Contains("failed its self-tests", host.Manager().GetStatus("lin").LastError?.Message, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_NoVersionCanServe_FailsListingWhyEachWasSkipped()
    {
        _store.AddVersion("lin", "1", weight: 1, failWith: "truncated file");
        _store.AddVersion("lin", "2", weight: 5, testData: """[{"features": {"x": 1}, "expected": 1}]""");
        using var host = Build();

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => host.StartAsync());

        Assert.StartsWith("Model 'lin' has no version that can serve: Model 'lin' version '2' failed its self-tests", error.Message, StringComparison.Ordinal);
        Assert.Contains("Model 'lin' version '1' failed to load: InvalidDataException: truncated file.", error.Message, StringComparison.Ordinal);
        Assert.All(host.Tracker().Created, m => Assert.True(m.IsDisposed));
    }

    [Fact]
    public async Task JsonPredict_UnknownVersionWithBadFeatures_NotFoundBeforeTheFeaturesAreBound()
    {
        _store.AddVersion("lin", "1", weight: 1);
        using var host = Build();
        await host.StartAsync();
        Assert.True(host.Services.GetRequiredService<IModelProvider>().TryGetJsonClient("lin", out var json));

        var error = await Assert.ThrowsAsync<ModelNotFoundException>(async () => await json.PredictAsync(System.Text.Json.JsonDocument.Parse("""{"x": "not a number"}""").RootElement, "9"));

        Assert.Equal("9", error.Version);
        Assert.False(json.HasVersion("9"));
        Assert.True(json.HasVersion("1"));
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_DiscoverModelsInACustomStore_ServesTheModelsItLists()
    {
        using var store = new LyftServing.Testing.InMemoryModelStore();
        store.AddVersion("eta", "1", new Dictionary<string, string> { ["weight.txt"] = "3", ["model.json"] = """{"runtime": "linear"}""" });
        store.AddVersion("other", "1", new Dictionary<string, string> { ["weight.txt"] = "3", ["model.json"] = """{"runtime": "tensorflow"}""" });
        var builder = TestHost.CreateBuilder();
        builder.Services.AddModelServing().UseModelStore(store).Configure(o => o.DiscoverModels = true).AddModelRuntime<LinearModel, NumberFeatures, double>("linear");
        using var host = builder.Build();

        await host.StartAsync();

        Assert.Equal(["eta"], host.Services.GetRequiredService<IModelProvider>().ModelNames);
        Assert.Equal(6, await host.Client("eta").PredictAsync(new NumberFeatures(2)));
        await host.StopAsync();
    }

    private sealed class FlushRecordingSink : IPredictionSink
    {
        private int _written;

        public int Written => Volatile.Read(ref _written);

        public bool Flushed { get; private set; }

        public ValueTask WriteAsync(IReadOnlyList<PredictionRecord> records, CancellationToken cancellationToken)
        {
            Interlocked.Add(ref _written, records.Count);
            return ValueTask.CompletedTask;
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            Flushed = true;
            return ValueTask.CompletedTask;
        }
    }
}
