using System.Diagnostics.Metrics;
using LyftServing.Tests.TestModels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;

namespace LyftServing.Tests.Shadow;

public sealed class ShadowEvaluationTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    private IHost Build(Action<ModelBuilder<NumberFeatures, double>>? configure = null, bool sensitive = false)
    {
        var builder = TestHost.CreateBuilder();
        builder.Services.AddModelServing()
            .Configure(o => o.LogSensitiveData = sensitive)
            .AddModel<LinearModel, NumberFeatures, double>("lin", m =>
            {
                m.FromStore(_store.Root).PinVersion("1");
                configure?.Invoke(m);
            });
        return builder.Build();
    }

    private static MetricCollector<long> Comparisons(IHost host) =>
        new(host.Services.GetRequiredService<IMeterFactory>(), ModelServingTelemetry.MeterName, "lyftserving.shadow.comparisons");

    /// <summary>What callers see: every answer, or the type and message of every error.</summary>
    private static async Task<List<string>> CallAsync(IHost host, int calls)
    {
        var client = host.Client("lin");
        var seen = new List<string>();
        for (var i = 0; i < calls; i++)
        {
            try
            {
                seen.Add((await client.PredictAsync(new NumberFeatures(i))).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (Exception ex)
            {
                seen.Add($"{ex.GetType().Name}: {ex.Message}");
            }
        }

        return seen;
    }

    [Fact]
    public async Task Shadow_Throws_CallerSeesExactlyWhatItSeesWithoutShadowAndErrorsAreCounted()
    {
        _store.AddVersion("lin", "1", weight: 2);
        _store.AddVersion("lin", "2", weight: 2, behavior: "throw");
        using var plain = Build();
        await plain.StartAsync();
        var expected = await CallAsync(plain, 50);
        await plain.StopAsync();
        using var host = Build(m => m.ShadowVersion("2"));
        using var comparisons = Comparisons(host);
        await host.StartAsync();

        var actual = await CallAsync(host, 50);

        Assert.Equal(expected, actual);
        await Eventually.TrueAsync(() => host.Manager().GetStatus("lin").Shadows.Single().Requests == 50, "the shadow saw every call");
        var shadow = host.Manager().GetStatus("lin").Shadows.Single();
        Assert.Equal(("2", 50L, 0L, 0L), (shadow.Version, shadow.Errors, shadow.Matches, shadow.Mismatches));
        Assert.All(comparisons.GetMeasurementSnapshot(), m => Assert.Equal("error", m.Tags[ModelServingTelemetry.OutcomeTag]));
        Assert.Equal(50, comparisons.GetMeasurementSnapshot().Sum(m => m.Value));
        await host.StopAsync();
    }

    [Fact]
    public async Task Shadow_Disagrees_MismatchesCountedAndSampledInLogsWithoutValues()
    {
        _store.AddVersion("lin", "1", weight: 2);
        _store.AddVersion("lin", "2", weight: 3);
        using var host = Build(m => m.ShadowVersion("2").Configure(o => o.Shadow.MismatchLogsPerMinute = 3));
        using var comparisons = Comparisons(host);
        await host.StartAsync();

        var answers = await CallAsync(host, 20);

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (i * 2).ToString(System.Globalization.CultureInfo.InvariantCulture)), answers);
        await Eventually.TrueAsync(() => host.Manager().GetStatus("lin").Shadows.Single().Requests == 20, "the shadow saw every call");
        var shadow = host.Manager().GetStatus("lin").Shadows.Single();
        Assert.Equal(1, shadow.Matches); // x = 0 agrees
        Assert.Equal(19, shadow.Mismatches);
        Assert.Equal(1d / 20, shadow.MatchRate);
        Assert.NotNull(shadow.ShadowLatencyP99);
        Assert.NotNull(shadow.PrimaryLatencyP50);
        var byOutcome = comparisons.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags[ModelServingTelemetry.OutcomeTag]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(19, byOutcome["mismatch"]);
        Assert.Equal(1, byOutcome["match"]);
        var samples = host.Logs().GetSnapshot().Where(r => r.Id.Name == "ShadowMismatch").Select(r => r.Message).ToList();
        Assert.Equal(3, samples.Count);
        Assert.Equal("Model 'lin': shadow version '2' disagreed with primary version '1': $ differs (enable LogSensitiveData to log the values)", samples[0]);
        await host.StopAsync();
    }

    [Fact]
    public async Task Shadow_Disagrees_WithSensitiveDataEnabled_LogsValues()
    {
        _store.AddVersion("lin", "1", weight: 2);
        _store.AddVersion("lin", "2", weight: 3);
        using var host = Build(m => m.ShadowVersion("2"), sensitive: true);
        await host.StartAsync();

        await host.Client("lin").PredictAsync(new NumberFeatures(1));

        await Eventually.TrueAsync(() => host.Logs().GetSnapshot().Any(r => r.Id.Name == "ShadowMismatch"), "a mismatch was logged");
        Assert.Contains(host.Logs().GetSnapshot(), r => r.Message.EndsWith("$: expected 2, got 3 (difference 1, tolerance 1E-05)", StringComparison.Ordinal));
        await host.StopAsync();
    }

    [Fact]
    public async Task Shadow_Hangs_CallerUnaffectedAndFullQueueDropsAndCounts()
    {
        _store.AddVersion("lin", "1", weight: 2);
        _store.AddVersion("lin", "2", weight: 2, behavior: "hang");
        using var host = Build(m => m.ShadowVersion("2").Configure(o => o.Shadow.QueueCapacity = 10));
        using var dropped = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), ModelServingTelemetry.MeterName, "lyftserving.shadow.dropped");
        await host.StartAsync();

        var answers = await CallAsync(host, 100).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(Enumerable.Range(0, 100).Select(i => (i * 2).ToString(System.Globalization.CultureInfo.InvariantCulture)), answers);
        var shadow = host.Manager().GetStatus("lin").Shadows.Single();

        // One copy is stuck in the shadow, ten wait in the queue, the rest were dropped.
        Assert.InRange(shadow.Dropped, 89, 90);
        Assert.Equal(shadow.Dropped, dropped.GetMeasurementSnapshot().Sum(m => m.Value));
        host.Tracker().HangGate.Release();
        await Eventually.TrueAsync(() => host.Manager().GetStatus("lin").Shadows.Single().Requests == 100 - shadow.Dropped, "the queued copies ran");
        await host.StopAsync();
    }

    [Fact]
    public async Task LatestCandidate_NewVersion_IsShadowedNotPromoted_UntilPromotedByHand()
    {
        _store.AddVersion("lin", "1", weight: 2);
        var builder = TestHost.CreateBuilder();
        builder.Services.AddModelServing().AddModel<LinearModel, NumberFeatures, double>("lin", m => m.FromStore(_store.Root).ShadowLatestCandidate());
        using var host = builder.Build();
        await host.StartAsync();
        _store.AddVersion("lin", "2", weight: 2);

        await host.Manager().RefreshAsync("lin");
        await CallAsync(host, 5);

        var status = host.Manager().GetStatus("lin");
        Assert.Equal("1", status.PrimaryVersion);
        Assert.Equal(ModelVersionRole.Shadow, status.Versions.Single(v => v.Version == "2").Role);
        await Eventually.TrueAsync(() => host.Manager().GetStatus("lin").Shadows.Single().Matches == 5, "the candidate matched");

        // A newer candidate replaces the old one.
        _store.AddVersion("lin", "3", weight: 2);
        await host.Manager().RefreshAsync("lin");
        await host.WaitForStatusAsync("lin", s => s.Versions.All(v => v.Version != "2"));
        Assert.Equal("3", host.Manager().GetStatus("lin").Shadows.Single().Version);

        await host.Manager().PromoteAsync("lin", "3");
        status = host.Manager().GetStatus("lin");
        Assert.Equal("3", status.PrimaryVersion);
        Assert.Empty(status.Shadows);
        await host.StopAsync();
    }

    [Fact]
    public async Task SetShadowAsync_AtRuntime_ComparesThenUnloadRemovesIt()
    {
        _store.AddVersion("lin", "1", weight: 2);
        _store.AddVersion("lin", "2", weight: 2);
        using var host = Build();
        await host.StartAsync();

        var shadow = await host.Manager().SetShadowAsync("lin", "2");
        await CallAsync(host, 3);
        await Eventually.TrueAsync(() => host.Manager().GetStatus("lin").Shadows.Single().Matches == 3, "the shadow matched");
        await host.Manager().UnloadVersionAsync("lin", "2");

        Assert.Equal(ModelVersionRole.Shadow, shadow.Role);
        Assert.Empty(host.Manager().GetStatus("lin").Shadows);
        Assert.True(host.Tracker().Created.Single(m => m.Version == "2").IsDisposed);
        var error = await Assert.ThrowsAsync<ModelConflictException>(() => host.Manager().SetShadowAsync("lin", "1"));
        Assert.Equal("Version '1' is the primary of model 'lin'; it cannot also be its shadow.", error.Message);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_WithShadow_AllocatesNothingOnTheCallersThread()
    {
        // The shadow hangs, so its queue fills up (and then overflows) while the calls are measured.
        _store.AddVersion("lin", "1", weight: 2);
        _store.AddVersion("lin", "2", weight: 2, behavior: "hang");
        using var host = Build(m => m.ShadowVersion("2"));
        await host.StartAsync();
        var client = host.Client("lin");
        var features = new NumberFeatures(3);
        for (var i = 0; i < 10; i++)
        {
            await client.PredictAsync(features); // compile every path once
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 3000; i++)
        {
            await client.PredictAsync(features); // completes synchronously: nothing is allocated by the await
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        host.Tracker().HangGate.Release();
        Assert.Equal(0, allocated);
        Assert.True(host.Manager().GetStatus("lin").Shadows.Single().Dropped > 0, "the queue overflowed");
        await host.StopAsync();
    }

    [Fact]
    public async Task CustomComparer_DecidesAgreement()
    {
        _store.AddVersion("lin", "1", weight: 2);
        _store.AddVersion("lin", "2", weight: 2.5);
        using var host = Build(m => m.ShadowVersion("2").CompareShadowsWith(new WithinPercent(30)));
        await host.StartAsync();

        await CallAsync(host, 4);

        await Eventually.TrueAsync(() => host.Manager().GetStatus("lin").Shadows.Single().Requests == 4, "the shadow saw every call");
        Assert.Equal(4, host.Manager().GetStatus("lin").Shadows.Single().Matches);
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_ShadowIsTheNewestVersion_ServesTheNewestOtherVersionAndShadowsIt()
    {
        // Defect 3: a configured shadow is not a candidate for automatic promotion.
        _store.AddVersion("lin", "1", weight: 1);
        _store.AddVersion("lin", "2", weight: 2);
        _store.AddVersion("lin", "3", weight: 2);
        var builder = TestHost.CreateBuilder();
        builder.Services.AddModelServing().AddModel<LinearModel, NumberFeatures, double>("lin", m => m.FromStore(_store.Root).ShadowVersion("3"));
        using var host = builder.Build();

        await host.StartAsync();
        await CallAsync(host, 4);

        var status = host.Manager().GetStatus("lin");
        Assert.Equal("2", status.PrimaryVersion);
        Assert.Equal(ModelVersionRole.Shadow, status.Versions.Single(v => v.Version == "3").Role);
        await Eventually.TrueAsync(() => host.Manager().GetStatus("lin").Shadows.Single().Matches == 4, "the shadow compared every call");
        await host.StopAsync();
    }

    [Fact]
    public async Task Poll_VersionShadowedByHand_IsNotPromoted()
    {
        // Defect 4: polling must not promote a version an operator made a shadow.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        _store.AddVersion("lin", "1", weight: 2);
        var builder = TestHost.CreateBuilder(time);
        builder.Services.AddModelServing().AddModel<LinearModel, NumberFeatures, double>("lin", m => m.FromStore(_store.Root).WatchForNewVersions(TimeSpan.FromSeconds(10)));
        using var host = builder.Build();
        await host.StartAsync();
        _store.AddVersion("lin", "2", weight: 3);

        await host.Manager().SetShadowAsync("lin", "2");
        time.Advance(TimeSpan.FromSeconds(10));
        await host.Manager().RefreshAsync("lin");

        var status = host.Manager().GetStatus("lin");
        Assert.Equal("1", status.PrimaryVersion);
        Assert.Equal(ModelVersionRole.Shadow, status.Versions.Single(v => v.Version == "2").Role);
        Assert.Equal(4, await host.Client("lin").PredictAsync(new NumberFeatures(2)));
        await host.StopAsync();
    }

    private sealed class WithinPercent(double percent) : IShadowComparer<double>
    {
        public bool AreEquivalent(double primary, double shadow) => Math.Abs(primary - shadow) <= Math.Abs(primary) * percent / 100;
    }
}
