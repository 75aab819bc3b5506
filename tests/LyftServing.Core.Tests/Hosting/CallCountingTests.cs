using System.Diagnostics;
using System.Globalization;
using LyftServing.Tests.TestModels;
using Microsoft.Extensions.DependencyInjection;

namespace LyftServing.Tests.Hosting;

/// <summary>
/// Outside tests of how calls count themselves in and out of a version (per-thread marks, and the
/// interlocked count for nested calls): through the public API, with swaps, nesting, errors and
/// listeners that throw.
/// </summary>
public sealed class CallCountingTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task PredictAsync_ActivityListenerThrowsWhenTheCallStarts_VersionStillDrainsAndIsDisposed()
    {
        // A listener's exception escapes StartActivity; the call it broke must still count itself out.
        _store.AddVersion("listened", "1", weight: 1);
        var builder = TestHost.CreateBuilder();
        builder.Services.AddModelServing().AddModel<LinearModel, NumberFeatures, double>("listened", m => m.FromStore(_store.Root));
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Client("listened");

        var throwing = true;
        using (var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ModelServingTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = activity =>
            {
                if (Volatile.Read(ref throwing) && activity.DisplayName == "predict listened")
                {
                    throw new InvalidOperationException("listener failed");
                }
            },
        })
        {
            ActivitySource.AddActivityListener(listener);
            await Assert.ThrowsAsync<InvalidOperationException>(() => client.PredictAsync(new NumberFeatures(1)).AsTask());
            await Assert.ThrowsAsync<InvalidOperationException>(() => Task.Run(() => client.PredictAsync(new NumberFeatures(1)).AsTask()));
            Volatile.Write(ref throwing, false);
        }

        Assert.Equal(0, host.Manager().GetStatus("listened").Versions.Single().InFlight);
        Assert.Equal(2.0, await client.PredictAsync(new NumberFeatures(2)));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await host.StopAsync(timeout.Token);
        Assert.False(timeout.IsCancellationRequested, "stopping waited for a call that had ended");
        Assert.All(host.Tracker().Created, m => Assert.True(m.IsDisposed, $"version {m.Version} was never disposed"));
    }

    [Fact]
    public async Task PredictAsync_ModelCallsItselfAndAnotherModelWhileBothAreSwapped_NoCallOnADisposedVersionAndStopDrains()
    {
        _store.AddVersion("outer", "1", weight: 1);
        _store.AddVersion("inner", "1", weight: 1);
        var builder = TestHost.CreateBuilder();
        builder.Services.AddSingleton<NestingTracker>();
        builder.Services.AddModelServing()
            .AddModel<NestingModel, NumberFeatures, double>("outer", m => m.FromStore(_store.Root))
            .AddModel<LinearModel, NumberFeatures, double>("inner", m => m.FromStore(_store.Root));
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Client("outer");
        var manager = host.Manager();
        var nesting = host.Services.GetRequiredService<NestingTracker>();

        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        long calls = 0;
        var callers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    // outer(2) → outer(1) → outer(0) → inner: four calls nested on one thread.
                    await client.PredictAsync(new NumberFeatures(2));
                    Interlocked.Increment(ref calls);
                }
                catch (Exception ex)
                {
                    lock (failures)
                    {
                        failures.Add(ex.ToString());
                    }
                }

                await Task.Yield();
            }
        })).ToArray();

        for (var version = 2; version <= 16; version++)
        {
            var seen = Interlocked.Read(ref calls);
            while (Interlocked.Read(ref calls) - seen < 8 && failures.Count == 0)
            {
                await Task.Delay(1);
            }

            var name = version % 2 == 0 ? "outer" : "inner";
            _store.AddVersion(name, version.ToString(CultureInfo.InvariantCulture), weight: version);
            await manager.RefreshAsync(name);
        }

        await stop.CancelAsync();
        await Task.WhenAll(callers);
        Assert.Empty(failures);
        Assert.Equal(0, nesting.CallsOnDisposedInstances);
        Assert.Equal(0, host.Tracker().CallsOnDisposedInstances);
        Assert.All(manager.GetStatus(), s => Assert.All(s.Versions, v => Assert.Equal(0, v.InFlight)));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await host.StopAsync(timeout.Token);
        Assert.False(timeout.IsCancellationRequested, "stopping waited for calls that had ended");
        Assert.All(nesting.Created, m => Assert.True(m.IsDisposed, $"outer version {m.Version} was never disposed"));
        Assert.All(host.Tracker().Created, m => Assert.True(m.IsDisposed, $"inner version {m.Version} was never disposed"));
    }

    [Fact]
    public async Task GetStatus_ModelCallsItselfOnOneThread_InFlightCountsEveryCallAndDrainsAfterAll()
    {
        _store.AddVersion("outer", "1", weight: 1);
        _store.AddVersion("inner", "1", weight: 1);
        var builder = TestHost.CreateBuilder();
        builder.Services.AddSingleton<NestingTracker>();
        builder.Services.AddModelServing()
            .AddModel<NestingModel, NumberFeatures, double>("outer", m => m.FromStore(_store.Root))
            .AddModel<LinearModel, NumberFeatures, double>("inner", m => m.FromStore(_store.Root));
        using var host = builder.Build();
        await host.StartAsync();
        var manager = host.Manager();
        using var gate = new SemaphoreSlim(0);
        host.Tracker().PredictGate = gate;

        // outer(2) → outer(1) → outer(0) → inner, which waits: three calls on outer's version, one on inner's.
        var call = Task.Run(() => host.Client("outer").PredictAsync(new NumberFeatures(2)).AsTask());
        Assert.True(await host.Tracker().PredictEntered.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(3, manager.GetStatus("outer").Versions.Single().InFlight);
        Assert.Equal(1, manager.GetStatus("inner").Versions.Single().InFlight);

        // Swap both while the calls run: neither old version is disposed until every call on it has left.
        _store.AddVersion("outer", "2", weight: 2);
        _store.AddVersion("inner", "2", weight: 2);
        await manager.RefreshAsync("outer");
        await manager.RefreshAsync("inner");
        var nesting = host.Services.GetRequiredService<NestingTracker>();
        Assert.False(nesting.Created.Single(m => m.Version == "1").IsDisposed);
        Assert.False(host.Tracker().Created.Single(m => m.Version == "1").IsDisposed);
        Assert.Equal(3, manager.GetStatus("outer").Versions.Single(v => v.Version == "1").InFlight);

        host.Tracker().PredictGate = null;
        gate.Release(100);
        await call;
        await host.WaitForStatusAsync("outer", s => s.Versions.Count == 1, TimeSpan.FromSeconds(5));
        await host.WaitForStatusAsync("inner", s => s.Versions.Count == 1, TimeSpan.FromSeconds(5));
        Assert.True(nesting.Created.Single(m => m.Version == "1").IsDisposed);
        Assert.True(host.Tracker().Created.Single(m => m.Version == "1").IsDisposed);
        Assert.Equal(0, nesting.CallsOnDisposedInstances);
        Assert.Equal(0, host.Tracker().CallsOnDisposedInstances);
    }
}

/// <summary>Records the <see cref="NestingModel"/> instances and the calls they took after disposal.</summary>
public sealed class NestingTracker
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<NestingModel> _created = new();
    private int _callsOnDisposedInstances;

    public IReadOnlyCollection<NestingModel> Created => _created;

    public int CallsOnDisposedInstances => Volatile.Read(ref _callsOnDisposedInstances);

    internal void Add(NestingModel model) => _created.Enqueue(model);

    internal void CallOnDisposedInstance() => Interlocked.Increment(ref _callsOnDisposedInstances);
}

/// <summary>
/// A model whose Predict calls, synchronously on its own thread, itself (x − 1, while x &gt; 0) and
/// the model <c>inner</c>; it reports a call that ran on a disposed instance.
/// </summary>
public sealed class NestingModel(NestingTracker tracker, IServiceProvider services) : IModel<NumberFeatures, double>, IDisposable
{
    private volatile bool _disposed;
    private string _name = "";

    public string Version { get; private set; } = "";

    public bool IsDisposed => _disposed;

    public ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        _name = artifact.ModelName;
        Version = artifact.Version;
        tracker.Add(this);
        return ValueTask.CompletedTask;
    }

    public double Predict(NumberFeatures features)
    {
        var inner = services.GetRequiredKeyedService<IModelClient<NumberFeatures, double>>("inner");
        var result = features.X > 0
            ? services.GetRequiredKeyedService<IModelClient<NumberFeatures, double>>(_name).PredictAsync(new NumberFeatures(features.X - 1)).AsTask().GetAwaiter().GetResult()
            : inner.PredictAsync(features).AsTask().GetAwaiter().GetResult();
        if (_disposed)
        {
            tracker.CallOnDisposedInstance();
            throw new ObjectDisposedException(nameof(NestingModel), $"Version {Version} was disposed before this call ended.");
        }

        return result;
    }

    public void Dispose() => _disposed = true;
}
