using System.Diagnostics.Metrics;
using LyftServing.Tests.TestModels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;

namespace LyftServing.Tests.Limits;

public sealed class OverloadProtectionTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    private IHost Build(Action<ModelBuilder<NumberFeatures, double>> configure, TestClock? time = null)
    {
        _store.AddVersion("lin", "1", weight: 2);
        var builder = TestHost.CreateBuilder(time);
        builder.Services.AddModelServing().AddModel<LinearModel, NumberFeatures, double>("lin", m => configure(m.FromStore(_store.Root)));
        return builder.Build();
    }

    private static MetricCollector<long> Counter(IHost host, string name) =>
        new(host.Services.GetRequiredService<IMeterFactory>(), ModelServingTelemetry.MeterName, name);

    /// <summary>Starts a call that blocks inside Predict until the returned gate is released.</summary>
    private static async Task<(Task<double> Call, SemaphoreSlim Gate)> StartBlockedCallAsync(IHost host)
    {
        var gate = new SemaphoreSlim(0);
        host.Tracker().PredictGate = gate;
        var call = Task.Run(() => host.Client("lin").PredictAsync(new NumberFeatures(1)).AsTask());
        await host.Tracker().PredictEntered.WaitAsync(TimeSpan.FromSeconds(10));
        host.Tracker().PredictGate = null;
        return (call, gate);
    }

    [Fact]
    public async Task PredictAsync_PastConcurrencyLimitWithoutQueue_FailsFastWithOverloaded()
    {
        using var host = Build(m => m.LimitConcurrency(1).Configure(o => o.Limits.RetryAfter = TimeSpan.FromSeconds(2)));
        using var overloaded = Counter(host, "lyftserving.inference.overloaded");
        await host.StartAsync();
        var (blocked, gate) = await StartBlockedCallAsync(host);

        var error = await Assert.ThrowsAsync<ModelOverloadedException>(async () => await host.Client("lin").PredictAsync(new NumberFeatures(2)));

        Assert.Equal("Model 'lin' is at its concurrency limit and its queue is full; retry after 2 s.", error.Message);
        Assert.Equal(TimeSpan.FromSeconds(2), error.RetryAfter);
        Assert.Equal(1, overloaded.GetMeasurementSnapshot().Sum(m => m.Value));
        gate.Release();
        Assert.Equal(2, await blocked);
        Assert.Equal(4, await host.Client("lin").PredictAsync(new NumberFeatures(2)));
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_QueueHasRoom_WaitsForASlot_AndBeyondQueueFails()
    {
        using var host = Build(m => m.LimitConcurrency(1, queueLimit: 1));
        await host.StartAsync();
        var (blocked, gate) = await StartBlockedCallAsync(host);

        var queued = host.Client("lin").PredictAsync(new NumberFeatures(3)).AsTask();
        await Assert.ThrowsAsync<ModelOverloadedException>(async () => await host.Client("lin").PredictAsync(new NumberFeatures(4)));
        Assert.False(queued.IsCompleted);
        gate.Release();

        Assert.Equal(2, await blocked);
        Assert.Equal(6, await queued);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_CancelledWhileQueued_ThrowsCancelledAndFreesItsPlace()
    {
        using var host = Build(m => m.LimitConcurrency(1, queueLimit: 1));
        await host.StartAsync();
        var (blocked, gate) = await StartBlockedCallAsync(host);
        using var cancel = new CancellationTokenSource();

        var queued = host.Client("lin").PredictAsync(new NumberFeatures(3), cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        var next = host.Client("lin").PredictAsync(new NumberFeatures(5)).AsTask(); // the freed queue place
        gate.Release();
        Assert.Equal(2, await blocked);
        Assert.Equal(10, await next);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_PredictOutlivesTimeout_SlotHeldUntilItEndsThenCallerGetsTimeout()
    {
        // Predict on the caller's thread cannot be abandoned: it runs to its end, keeping its slot,
        // and its late answer becomes a timeout.
        var time = new TestClock();
        using var host = Build(m => m.LimitConcurrency(1).WithTimeout(TimeSpan.FromSeconds(3)), time);
        using var timeouts = Counter(host, "lyftserving.inference.timeouts");
        await host.StartAsync();
        var (slow, gate) = await StartBlockedCallAsync(host);

        time.Advance(TimeSpan.FromSeconds(3));

        Assert.False(slow.IsCompleted);
        await Assert.ThrowsAsync<ModelOverloadedException>(async () => await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        gate.Release();
        var error = await Assert.ThrowsAsync<ModelTimeoutException>(() => slow);
        Assert.Equal("Model 'lin' did not answer within its timeout of 3000 ms.", error.Message);
        Assert.Equal(1, timeouts.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(2, await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_TimeoutWhileQueued_ThrowsTimeout()
    {
        var time = new TestClock();
        using var host = Build(m => m.LimitConcurrency(1, queueLimit: 5).WithTimeout(TimeSpan.FromSeconds(1)), time);
        await host.StartAsync();
        var timersBefore = time.TimersCreated;
        var (blocked, gate) = await StartBlockedCallAsync(host);

        // Only the call that waits arms a timer; the running one has nothing to wait for.
        var queued = host.Client("lin").PredictAsync(new NumberFeatures(3)).AsTask();
        await Eventually.TrueAsync(() => time.TimersCreated >= timersBefore + 1, "the queued call armed its timeout");
        time.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<ModelTimeoutException>(() => queued);
        gate.Release();
        await Assert.ThrowsAsync<ModelTimeoutException>(() => blocked); // it also outlived its own timeout
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_CallersCancelWhileTheirPredictsRun_SlotsStayTakenUntilThePredictsEnd()
    {
        // Defect 2: LimitConcurrency(2, 16) + WithTimeout(10 s); two running calls are cancelled, then 8 more calls.
        using var host = Build(m => m.LimitConcurrency(2, queueLimit: 16).WithTimeout(TimeSpan.FromSeconds(10)));
        await host.StartAsync();
        var tracker = host.Tracker();
        var gate = new SemaphoreSlim(0);
        tracker.PredictGate = gate;
        using var cancel = new CancellationTokenSource();
        var cancelled = Enumerable.Range(0, 2).Select(_ => Task.Run(() => host.Client("lin").PredictAsync(new NumberFeatures(1), cancel.Token).AsTask())).ToArray();
        await tracker.PredictEntered.WaitAsync(TimeSpan.FromSeconds(10));
        await tracker.PredictEntered.WaitAsync(TimeSpan.FromSeconds(10));

        await cancel.CancelAsync();
        var more = Enumerable.Range(0, 8).Select(_ => Task.Run(() => host.Client("lin").PredictAsync(new NumberFeatures(1)).AsTask())).ToArray();
        var extraStarted = await tracker.PredictEntered.WaitAsync(TimeSpan.FromMilliseconds(500));
        gate.Release(100);
        tracker.PredictGate = null;

        Assert.All(await Task.WhenAll(more), answer => Assert.Equal(2, answer));
        await Task.WhenAll(cancelled.Select(c => c.ContinueWith(_ => { }, TaskScheduler.Default)));
        Assert.False(extraStarted, "a third Predict started while two were still running");
        Assert.Equal(2, tracker.MaxRunning);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_CallerCancelsWhileItsPredictRuns_NextCallIsOverloadedUntilItEnds()
    {
        // Defect 2, without a queue: the slot of a cancelled running call is not free until its Predict ends.
        using var host = Build(m => m.LimitConcurrency(1).WithTimeout(TimeSpan.FromSeconds(10)));
        await host.StartAsync();
        var tracker = host.Tracker();
        var gate = new SemaphoreSlim(0);
        tracker.PredictGate = gate;
        using var cancel = new CancellationTokenSource();
        var running = Task.Run(() => host.Client("lin").PredictAsync(new NumberFeatures(1), cancel.Token).AsTask());
        await tracker.PredictEntered.WaitAsync(TimeSpan.FromSeconds(10));
        tracker.PredictGate = null;

        await cancel.CancelAsync();

        await Assert.ThrowsAsync<ModelOverloadedException>(async () => await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        gate.Release();
        await running.ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.Equal(2, await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        Assert.Equal(1, tracker.MaxRunning);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_RunOnThreadPool_CallerCancelsWhileItsPredictRuns_ReleasedAtOnceAndSlotHeldUntilItEnds()
    {
        using var host = Build(m => m.LimitConcurrency(1).WithTimeout(TimeSpan.FromSeconds(10), runOnThreadPool: true));
        await host.StartAsync();
        var tracker = host.Tracker();
        var gate = new SemaphoreSlim(0);
        tracker.PredictGate = gate;
        using var cancel = new CancellationTokenSource();
        var running = host.Client("lin").PredictAsync(new NumberFeatures(1), cancel.Token).AsTask();
        await tracker.PredictEntered.WaitAsync(TimeSpan.FromSeconds(10));
        tracker.PredictGate = null;

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        await Assert.ThrowsAsync<ModelOverloadedException>(async () => await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        gate.Release();
        await Eventually.TrueAsync(() => tracker.Running == 0, "the abandoned Predict ended");
        Assert.Equal(2, await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        Assert.Equal(1, tracker.MaxRunning);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_RunOnThreadPool_PredictOutlivesTimeout_CallerReleasedAtTheDeadline()
    {
        var time = new TestClock();
        using var host = Build(m => m.LimitConcurrency(1).WithTimeout(TimeSpan.FromSeconds(3), runOnThreadPool: true), time);
        await host.StartAsync();
        var timersBefore = time.TimersCreated;
        var (slow, gate) = await StartBlockedCallAsync(host);
        await Eventually.TrueAsync(() => time.TimersCreated > timersBefore, "the deadline is armed");

        time.Advance(TimeSpan.FromSeconds(3));

        await Assert.ThrowsAsync<ModelTimeoutException>(() => slow);
        Assert.Equal(1, host.Tracker().Running);
        await Assert.ThrowsAsync<ModelOverloadedException>(async () => await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        gate.Release();
        await Eventually.TrueAsync(() => host.Tracker().Running == 0, "the abandoned Predict ended");
        Assert.Equal(2, await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_BatchedRowsCancelledWhileTheirBatchRuns_SlotsHeldUntilTheBatchEnds()
    {
        // Defect 2, for batched rows: the callers are released, their rows run on and keep their slots.
        // A batch of two waits for its second row (the fake clock never reaches MaxDelay), so both rows run in one batch.
        using var host = Build(m => m.LimitConcurrency(2, queueLimit: 16).UseDynamicBatching(2, TimeSpan.FromSeconds(1), maxConcurrentBatches: 4));
        await host.StartAsync();
        var tracker = host.Tracker();
        var gate = new SemaphoreSlim(0);
        tracker.PredictGate = gate;
        using var cancel = new CancellationTokenSource();
        var cancelled = Enumerable.Range(0, 2).Select(_ => host.Client("lin").PredictAsync(new NumberFeatures(1), cancel.Token).AsTask()).ToArray();
        await tracker.PredictEntered.WaitAsync(TimeSpan.FromSeconds(10));

        await cancel.CancelAsync();
        foreach (var call in cancelled)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        }

        var more = Enumerable.Range(0, 8).Select(_ => host.Client("lin").PredictAsync(new NumberFeatures(1)).AsTask()).ToArray();
        var extraStarted = await tracker.PredictEntered.WaitAsync(TimeSpan.FromMilliseconds(500));
        tracker.PredictGate = null;
        gate.Release(100);

        Assert.All(await Task.WhenAll(more), answer => Assert.Equal(2, answer));
        Assert.False(extraStarted, "a new batch started while the cancelled callers' rows still held both slots");
        await host.StopAsync();
    }
}
