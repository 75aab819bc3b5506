using System.Diagnostics.Metrics;
using System.Text;
using LyftServing.Testing;
using LyftServing.Tests.TestModels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace LyftServing.Tests.Hosting;

/// <summary>Operators' decisions are recorded in the store: they survive restarts and every replica follows them.</summary>
public sealed class OperatorDecisionTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    private IHost Build(Action<ModelBuilder<NumberFeatures, double>>? configure = null, TimeProvider? time = null, IModelStore? store = null)
    {
        var builder = TestHost.CreateBuilder(time);
        builder.Services.AddModelServing().AddModel<LinearModel, NumberFeatures, double>("lin", m =>
        {
            if (store is null)
            {
                m.FromStore(_store.Root);
            }
            else
            {
                m.FromStore(store);
            }

            configure?.Invoke(m);
        });
        return builder.Build();
    }

    private static async Task<IHost> RestartAsync(IHost host, Func<IHost> build)
    {
        await host.StopAsync();
        host.Dispose();
        var restarted = build();
        await restarted.StartAsync();
        return restarted;
    }

    [Fact]
    public async Task Pin_NewerVersionsPublishedAndARestart_ThePinnedVersionServes()
    {
        _store.AddVersion("lin", "1", weight: 1);
        _store.AddVersion("lin", "2", weight: 2);
        var host = Build();
        await host.StartAsync();

        await host.Manager().PinAsync("lin", "1");
        _store.AddVersion("lin", "3", weight: 3);
        await host.Manager().RefreshAsync("lin");
        Assert.Equal("1", host.Manager().GetStatus("lin").PrimaryVersion);
        host = await RestartAsync(host, () => Build());

        var status = host.Manager().GetStatus("lin");
        Assert.Equal("1", status.PrimaryVersion);
        Assert.NotNull(status.Decision);
        Assert.Equal(("1", true, "pin"), (status.Decision.PrimaryVersion, status.Decision.Pinned, status.Decision.Reason));
        Assert.StartsWith("sha256:", status.Decision.ContentHash, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_store.Root, "lin", ".lyftserving", "decision.json")));
        await host.StopAsync();
        host.Dispose();
    }

    [Fact]
    public async Task Unpin_AfterAPin_ThePolicyChoosesAgainOnEveryReplica()
    {
        _store.AddVersion("lin", "1", weight: 1);
        _store.AddVersion("lin", "2", weight: 2);
        var timeB = new FakeTimeProvider();
        using var a = Build();
        using var b = Build(m => m.WatchForNewVersions(TimeSpan.FromSeconds(5)), timeB);
        await a.StartAsync();
        await b.StartAsync();
        await a.Manager().PinAsync("lin", "1");
        timeB.Advance(TimeSpan.FromSeconds(5));
        await b.WaitForStatusAsync("lin", s => s.PrimaryVersion == "1");

        await a.Manager().UnpinAsync("lin");
        timeB.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal("2", a.Manager().GetStatus("lin").PrimaryVersion);
        await b.WaitForStatusAsync("lin", s => s.PrimaryVersion == "2");
        Assert.Equal(4, await b.Client("lin").PredictAsync(new NumberFeatures(2)));
        await a.StopAsync();
        await b.StopAsync();
    }

    [Fact]
    public async Task SetShadow_WithASampleRate_SurvivesARestartAndIsNeverPromoted()
    {
        _store.AddVersion("lin", "1", weight: 2);
        var host = Build();
        await host.StartAsync();
        _store.AddVersion("lin", "2", weight: 2);

        await host.Manager().SetShadowAsync("lin", "2", sampleRate: 0.5);
        host = await RestartAsync(host, () => Build());

        var status = host.Manager().GetStatus("lin");
        Assert.Equal("1", status.PrimaryVersion);
        var shadow = Assert.Single(status.Shadows);
        Assert.Equal(("2", 0.5), (shadow.Version, shadow.SampleRate));
        await host.StopAsync();
        host.Dispose();
    }

    [Fact]
    public async Task UnloadVersion_AConfiguredShadow_RecordedOffSoPollingAndRestartsLeaveItOff()
    {
        var time = new FakeTimeProvider();
        _store.AddVersion("lin", "1", weight: 2);
        _store.AddVersion("lin", "2", weight: 2);
        var host = Build(m => m.PinVersion("1").ShadowVersion("2").WatchForNewVersions(TimeSpan.FromSeconds(5)), time);
        await host.StartAsync();
        Assert.Single(host.Manager().GetStatus("lin").Shadows);

        await host.Manager().UnloadVersionAsync("lin", "2");
        time.Advance(TimeSpan.FromSeconds(5));
        await host.Manager().RefreshAsync("lin");
        Assert.Empty(host.Manager().GetStatus("lin").Shadows);
        host = await RestartAsync(host, () => Build(m => m.PinVersion("1").ShadowVersion("2")));

        Assert.Empty(host.Manager().GetStatus("lin").Shadows);
        Assert.Equal(0, host.Manager().GetStatus("lin").Decision?.Shadows["2"]);
        await host.StopAsync();
        host.Dispose();
    }

    [Fact]
    public async Task LatestCandidate_Restart_DoesNotPromoteTheCandidateNobodyPromoted()
    {
        _store.AddVersion("lin", "1", weight: 1);
        var host = Build(m => m.ShadowLatestCandidate());
        await host.StartAsync();
        _store.AddVersion("lin", "2", weight: 2);
        await host.Manager().RefreshAsync("lin");
        Assert.Equal("2", host.Manager().GetStatus("lin").Shadows.Single().Version);

        host = await RestartAsync(host, () => Build(m => m.ShadowLatestCandidate()));

        var status = host.Manager().GetStatus("lin");
        Assert.Equal("1", status.PrimaryVersion);
        Assert.Equal("2", status.Shadows.Single().Version);
        await host.Manager().PromoteAsync("lin", "2");
        host = await RestartAsync(host, () => Build(m => m.ShadowLatestCandidate()));
        Assert.Equal("2", host.Manager().GetStatus("lin").PrimaryVersion);
        await host.StopAsync();
        host.Dispose();
    }

    [Fact]
    public async Task Promote_StoreCannotRecordDecisions_FailsAndNothingChanges()
    {
        using var inner = new InMemoryModelStore();
        inner.AddVersion("lin", "1", new Dictionary<string, string> { ["weight.txt"] = "1" });
        inner.AddVersion("lin", "2", new Dictionary<string, string> { ["weight.txt"] = "2" });
        using var host = Build(store: new ReadOnlyStore(inner));
        await host.StartAsync();

        var error = await Assert.ThrowsAsync<ModelStoreException>(() => host.Manager().PromoteAsync("lin", "1"));

        Assert.Equal("The store is mounted read-only.", error.Message);
        Assert.Equal("2", host.Manager().GetStatus("lin").PrimaryVersion);
        await Eventually.TrueAsync(() => host.Tracker().Created.Where(m => m.Version == "1").All(m => m.IsDisposed), "the version loaded for the refused promotion is disposed");
        await host.StopAsync();
    }

    [Fact]
    public async Task Refresh_DecisionRecordCorrupt_LastDecisionStaysAndTheErrorIsReported()
    {
        _store.AddVersion("lin", "1", weight: 1);
        _store.AddVersion("lin", "2", weight: 2);
        using var host = Build();
        await host.StartAsync();
        await host.Manager().PromoteAsync("lin", "1");

        File.WriteAllText(Path.Combine(_store.Root, "lin", ".lyftserving", "decision.json"), """{"primary": "../2"}""");
        await host.Manager().RefreshAsync("lin");

        var status = host.Manager().GetStatus("lin");
        Assert.Equal("1", status.PrimaryVersion);
        Assert.Equal("1", status.Decision?.PrimaryVersion);
        Assert.Contains("decision record in its store is not valid", status.LastError?.Message, StringComparison.Ordinal);
        Assert.Contains(host.Logs().GetSnapshot(), r => r.Id.Name == "DecisionUnreadable");
        await host.StopAsync();
    }

    [Fact]
    public async Task Decision_WrittenByAnotherReplica_IsJsonAnOperatorCanRead()
    {
        _store.AddVersion("lin", "1", weight: 1);
        _store.AddVersion("lin", "2", weight: 2);
        using var host = Build();
        await host.StartAsync();

        await host.Manager().SetShadowAsync("lin", "1", 0.25);
        await host.Manager().PinAsync("lin", "2");

        var json = File.ReadAllText(Path.Combine(_store.Root, "lin", ".lyftserving", "decision.json"), Encoding.UTF8);
        Assert.Contains("\"primary\": \"2\"", json, StringComparison.Ordinal);
        Assert.Contains("\"pinned\": true", json, StringComparison.Ordinal);
        Assert.Contains("\"1\": 0.25", json, StringComparison.Ordinal);
        Assert.Contains("\"reason\": \"pin\"", json, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task RollBack_ToAVersionWhoseFilesChangedInPlace_RefusedAndReported_UntilAnOperatorNamesIt()
    {
        _store.AddVersion("lin", "1", weight: 1);
        using var host = Build();
        using var changed = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), ModelServingTelemetry.MeterName, "lyftserving.model.version.changed");
        await host.StartAsync();
        _store.AddVersion("lin", "2", weight: 2);
        await host.Manager().RefreshAsync("lin");
        await host.WaitForStatusAsync("lin", s => s.Versions.All(v => v.Version != "1")); // version 1 drained and disposed

        File.WriteAllText(Path.Combine(_store.Root, "lin", "1", "weight.txt"), "100");
        var error = await Assert.ThrowsAsync<ModelLoadException>(() => host.Manager().RollBackAsync("lin"));

        Assert.StartsWith("Model 'lin' version '1' changed after it was first loaded", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        var failed = host.Manager().GetStatus("lin").Versions.Single(v => v.Version == "1");
        Assert.Equal((ModelVersionState.Failed, "lyftserving.version_changed"), (failed.State, failed.Error?.ErrorType));
        Assert.Equal(1, changed.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Contains(host.Logs().GetSnapshot(), r => r.Id.Name == "VersionContentChanged");

        // Automatic loads keep refusing it; naming it explicitly accepts the new content.
        await host.Manager().RefreshAsync("lin");
        await host.Manager().PromoteAsync("lin", "1");
        Assert.Equal(100, await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        await host.StopAsync();
    }

    /// <summary>A store whose decisions cannot be written, as on a read-only volume.</summary>
    private sealed class ReadOnlyStore(IModelStore inner) : IModelStore
    {
        public ValueTask<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken) => inner.ListModelsAsync(cancellationToken);

        public ValueTask<IReadOnlyList<ModelVersionInfo>> ListVersionsAsync(string modelName, CancellationToken cancellationToken) => inner.ListVersionsAsync(modelName, cancellationToken);

        public ValueTask<ModelArtifact> GetArtifactAsync(string modelName, string version, CancellationToken cancellationToken) => inner.GetArtifactAsync(modelName, version, cancellationToken);

        public ValueTask<StoredDecision?> ReadDecisionAsync(string modelName, CancellationToken cancellationToken) => inner.ReadDecisionAsync(modelName, cancellationToken);

        public ValueTask<bool> TryWriteDecisionAsync(string modelName, ReadOnlyMemory<byte> content, string? expectedStamp, CancellationToken cancellationToken) =>
            throw new ModelStoreException(modelName, null, "The store is mounted read-only.");
    }
}
