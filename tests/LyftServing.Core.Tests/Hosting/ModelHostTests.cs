using LyftServing.Tests.TestModels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace LyftServing.Tests.Hosting;

public sealed class ModelHostTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    private IHost Build(Action<ModelBuilder>? configure = null, FakeTimeProvider? time = null)
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
    public async Task Promote_SelfTestFailsButNotRequired_PromotesAndReportsFailure()
    {
        _store.AddVersion("lin", "1", weight: 2);
        using var host = Build();
        await host.StartAsync();
        _store.AddVersion("lin", "2", weight: 3, testData: """[{"features": {"x": 1}, "expected": 2}]""");

        await host.Manager().PromoteAsync("lin", "2");

        Assert.Equal(3, await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        var report = host.Manager().GetStatus("lin").Versions.Single(v => v.Version == "2").SelfTests;
        Assert.NotNull(report);
        Assert.False(report.Succeeded);
        Assert.Equal("testdata.json case 1", report.Cases[0].Name);
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
    public async Task Promote_CallOutlivesDrainTimeout_DisposesAfterTimeoutAndLogs()
    {
        var time = new FakeTimeProvider();
        _store.AddVersion("lin", "1", weight: 1);
        using var host = Build(m => m.Configure(o => o.DrainTimeout = TimeSpan.FromSeconds(5)), time);
        await host.StartAsync();
        var tracker = host.Tracker();
        var gate = new SemaphoreSlim(0);
        tracker.PredictGate = gate;
        var inFlight = Task.Run(() => host.Client("lin").PredictAsync(new NumberFeatures(1)).AsTask());
        await tracker.PredictEntered.WaitAsync(TimeSpan.FromSeconds(10));
        tracker.PredictGate = null;
        _store.AddVersion("lin", "2", weight: 2);
        await host.Manager().PromoteAsync("lin", "2");
        var v1 = tracker.Created.Single(m => m.Version == "1");

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(v1.IsDisposed);
        time.Advance(TimeSpan.FromSeconds(1));
        await host.WaitForStatusAsync("lin", s => s.Versions.All(v => v.Version != "1"));

        Assert.True(v1.IsDisposed);
        Assert.Contains(host.Logs().GetSnapshot(), r => r.Id.Name == "VersionDrainTimedOut" && r.Message.Contains("'lin' version '1'", StringComparison.Ordinal));
        gate.Release();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => inFlight);
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

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("1", host.Manager().GetStatus("lin").PrimaryVersion);
        time.Advance(TimeSpan.FromSeconds(1));
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
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await host.Manager().RollBackAsync("lin");
            await host.Manager().RollBackAsync("lin");
        });
        Assert.Equal("Model 'lin' has no earlier primary version to roll back to.", error.Message);
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
        var unloadPrimary = await Assert.ThrowsAsync<InvalidOperationException>(() => host.Manager().UnloadVersionAsync("lin", "1"));
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
}
