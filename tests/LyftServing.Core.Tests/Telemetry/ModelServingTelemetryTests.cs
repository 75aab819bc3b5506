using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using LyftServing.Internal;
using LyftServing.Tests.TestModels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LyftServing.Tests.Telemetry;

public sealed class ModelServingTelemetryTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    private IHost Build(Action<ModelBuilder<NumberFeatures, double>>? configure = null)
    {
        var builder = TestHost.CreateBuilder();
        builder.Services.AddModelServing().AddModel<LinearModel, NumberFeatures, double>("lin", m =>
        {
            m.FromStore(_store.Root);
            configure?.Invoke(m);
        });
        return builder.Build();
    }

    private static MetricCollector<T> Collect<T>(IHost host, string instrument)
        where T : struct =>
        new(host.Services.GetRequiredService<IMeterFactory>(), ModelServingTelemetry.MeterName, instrument);

    [Fact]
    public async Task PredictAsync_Success_RecordsDurationWithModelVersionAndRole()
    {
        _store.AddVersion("lin", "1", weight: 1);
        using var host = Build();
        using var duration = Collect<double>(host, "lyftserving.inference.duration");
        await host.StartAsync();

        await host.Client("lin").PredictAsync(new NumberFeatures(1));

        var measurement = Assert.Single(duration.GetMeasurementSnapshot());
        Assert.True(measurement.Value >= 0);
        Assert.Equal("lin", measurement.Tags[ModelServingTelemetry.ModelNameTag]);
        Assert.Equal("1", measurement.Tags[ModelServingTelemetry.ModelVersionTag]);
        Assert.Equal("primary", measurement.Tags[ModelServingTelemetry.RoleTag]);
        Assert.False(measurement.Tags.ContainsKey(ModelServingTelemetry.ErrorTypeTag));
        await host.StopAsync();
    }

    [Fact]
    public async Task InferenceActive_CallInFlight_ObservedFromTheVersionsCount()
    {
        _store.AddVersion("lin", "1", weight: 1);
        using var host = Build();
        using var active = Collect<long>(host, "lyftserving.inference.active");
        await host.StartAsync();
        var gate = new SemaphoreSlim(0);
        host.Tracker().PredictGate = gate;
        var call = Task.Run(() => host.Client("lin").PredictAsync(new NumberFeatures(1)).AsTask());
        await host.Tracker().PredictEntered.WaitAsync(TimeSpan.FromSeconds(10));

        active.RecordObservableInstruments();
        var during = Assert.Single(active.GetMeasurementSnapshot());
        gate.Release();
        await call;
        active.RecordObservableInstruments();

        Assert.Equal(1, during.Value);
        Assert.Equal("primary", during.Tags[ModelServingTelemetry.RoleTag]);
        Assert.Equal(0, active.LastMeasurement?.Value);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_ModelThrows_RecordsErrorType()
    {
        _store.AddVersion("lin", "1", weight: 1);
        using var host = Build();
        using var duration = Collect<double>(host, "lyftserving.inference.duration");
        await host.StartAsync();
        await host.Manager().PromoteAsync("lin", "1");
        foreach (var model in host.Tracker().Created)
        {
            model.Dispose(); // the next call throws ObjectDisposedException from model code
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await host.Client("lin").PredictAsync(new NumberFeatures(1)));

        var measurement = Assert.Single(duration.GetMeasurementSnapshot());
        Assert.Equal(typeof(ObjectDisposedException).FullName, measurement.Tags[ModelServingTelemetry.ErrorTypeTag]);
        await host.StopAsync();
    }

    [Fact]
    public async Task Load_SuccessAndFailure_RecordLoadDurationSelfTestsAndLogs()
    {
        _store.AddVersion("lin", "1", weight: 2, testData: """[{"features": {"x": 1}, "expected": 2}]""");
        using var host = Build();
        using var loads = Collect<double>(host, "lyftserving.model.load.duration");
        using var selfTests = Collect<long>(host, "lyftserving.self_test.runs");
        await host.StartAsync();
        _store.AddVersion("lin", "2", weight: 2, failWith: "no weights");

        await Assert.ThrowsAsync<ModelLoadException>(() => host.Manager().PromoteAsync("lin", "2"));

        var recorded = loads.GetMeasurementSnapshot();
        Assert.Equal(2, recorded.Count);
        Assert.False(recorded[0].Tags.ContainsKey(ModelServingTelemetry.ErrorTypeTag));
        Assert.Equal("2", recorded[1].Tags[ModelServingTelemetry.ModelVersionTag]);
        Assert.Equal(typeof(InvalidDataException).FullName, recorded[1].Tags[ModelServingTelemetry.ErrorTypeTag]);
        var run = Assert.Single(selfTests.GetMeasurementSnapshot());
        Assert.Equal("pass", run.Tags[ModelServingTelemetry.SelfTestResultTag]);

        var logs = host.Logs().GetSnapshot();
        var failure = Assert.Single(logs, r => r.Id.Id == EventIds.VersionLoadFailed);
        Assert.Equal(LogLevel.Error, failure.Level);
        Assert.Equal("Model 'lin' version '2' failed to load; it will not serve: Model 'lin' version '2' failed to load: InvalidDataException: no weights", failure.Message);
        Assert.IsType<InvalidDataException>(failure.Exception);
        Assert.Contains(logs, r => r.Id.Id == EventIds.SelfTestsPassed && r.Message == "Model 'lin' version '1' passed 1 self-test cases");
        Assert.Contains(logs, r => r.Id.Id == EventIds.VersionPromoted && r.Message.StartsWith("Model 'lin' now serves version '1'", StringComparison.Ordinal));
        await host.StopAsync();
    }

    [Fact]
    public async Task VersionsGauge_ReportsVersionsByState()
    {
        _store.AddVersion("lin", "1", weight: 1);
        _store.AddVersion("lin", "2", weight: 1, failWith: "x");
        using var host = Build(m => m.PinVersion("1"));
        using var versions = Collect<int>(host, "lyftserving.model.versions");
        await host.StartAsync();
        await Assert.ThrowsAsync<ModelLoadException>(() => host.Manager().LoadVersionAsync("lin", "2"));

        versions.RecordObservableInstruments();

        var byState = versions.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags[ModelServingTelemetry.StateTag]!, m => m.Value);
        Assert.Equal(1, byState["ready"]);
        Assert.Equal(1, byState["failed"]);
        Assert.Equal(0, byState["loading"]);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_WithActivityListener_StartsActivityWithTags()
    {
        // The listener is process-wide and tests run in parallel: a model name no other test uses.
        _store.AddVersion("traced", "1", weight: 1);
        var builder = TestHost.CreateBuilder();
        builder.Services.AddModelServing().AddModel<LinearModel, NumberFeatures, double>("traced", m => m.FromStore(_store.Root));
        using var host = builder.Build();
        await host.StartAsync();
        var activities = new System.Collections.Concurrent.ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == ModelServingTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        await host.Client("traced").PredictAsync(new NumberFeatures(1));

        var activity = Assert.Single(activities, a => a.OperationName == "predict traced");
        Assert.Equal("1", activity.GetTagItem(ModelServingTelemetry.ModelVersionTag));
        await host.StopAsync();
    }

    [Fact]
    public void EventIds_AreUniqueAndEveryLogMethodUsesOne()
    {
        var ids = typeof(EventIds).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (int)f.GetValue(null)!).ToList();
        var used = typeof(LyftServing.Internal.Log).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .Where(a => a is not null)
            .Select(a => a!.EventId)
            .ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(used.Count, used.Distinct().Count());
        Assert.All(used, id => Assert.Contains(id, ids));
    }
}
