using System.Diagnostics.Metrics;
using LyftServing.Tests.TestModels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;

namespace LyftServing.Tests.Batching;

public sealed class DynamicBatchingTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    private IHost Build(int maxBatchSize, TimeSpan maxDelay, TimeProvider time, int maxConcurrentBatches = 1)
    {
        _store.AddVersion("batch", "1", weight: 3);
        var builder = TestHost.CreateBuilder(time);
        builder.Services.AddModelServing().AddModel<BatchLinearModel, NumberFeatures, double>("batch", m => m
            .FromStore(_store.Root)
            .UseDynamicBatching(maxBatchSize, maxDelay, maxConcurrentBatches));
        return builder.Build();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task PredictAsync_64ConcurrentCallers_EachGetsItsOwnRowsAnswerInBatches(int maxConcurrentBatches)
    {
        // The real clock: partial batches must run after MaxDelay for the last callers to finish.
        using var host = Build(maxBatchSize: 16, maxDelay: TimeSpan.FromMilliseconds(5), TimeProvider.System, maxConcurrentBatches);
        using var sizes = new MetricCollector<int>(host.Services.GetRequiredService<IMeterFactory>(), ModelServingTelemetry.MeterName, "lyftserving.batch.size");
        await host.StartAsync();
        var client = host.Client("batch");
        using var start = new ManualResetEventSlim();

        var callers = Enumerable.Range(0, 64).Select(caller => Task.Run(async () =>
        {
            start.Wait();
            var wrong = 0;
            for (var i = 0; i < 200; i++)
            {
                var x = (caller * 1000) + i;
                if (await client.PredictAsync(new NumberFeatures(x)) != x * 3)
                {
                    wrong++;
                }
            }

            return wrong;
        })).ToArray();
        start.Set();

        Assert.All(await Task.WhenAll(callers), wrong => Assert.Equal(0, wrong));
        var recorded = sizes.GetMeasurementSnapshot().Select(m => m.Value).ToList();
        Assert.Equal(64 * 200, recorded.Sum());
        Assert.True(recorded.Max() > 1, "calls were coalesced");
        Assert.True(recorded.Max() <= 16, "no batch exceeded MaxBatchSize");
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_OneBadRowInABatch_OnlyThatCallerGetsTheError()
    {
        var time = new TestClock();
        using var host = Build(maxBatchSize: 8, maxDelay: TimeSpan.FromSeconds(1), time);
        await host.StartAsync();
        var client = host.Client("batch");

        var good = client.PredictAsync(new NumberFeatures(1)).AsTask();
        var bad = client.PredictAsync(new NumberFeatures(-1)).AsTask();
        var alsoGood = client.PredictAsync(new NumberFeatures(2)).AsTask();
        await Eventually.TrueAsync(() => time.TimersCreated > 0 || good.IsCompleted, "the batch waits for more rows");
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(3, await good);
        Assert.Equal(6, await alsoGood);
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => bad);
        Assert.StartsWith("x = -1 is negative", error.Message, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_BatchNotFull_WaitsMaxDelayThenRuns()
    {
        var time = new TestClock();
        using var host = Build(maxBatchSize: 8, maxDelay: TimeSpan.FromMilliseconds(50), time);
        await host.StartAsync();

        var call = host.Client("batch").PredictAsync(new NumberFeatures(5)).AsTask();
        await Eventually.TrueAsync(() => time.TimersCreated > 0, "the batch armed its delay");
        time.Advance(TimeSpan.FromMilliseconds(49));
        await Task.Delay(20);
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(15, await call.WaitAsync(TimeSpan.FromSeconds(10)));
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_OneCallerCancelsWhileQueued_OthersStillAnswered()
    {
        var time = new TestClock();
        using var host = Build(maxBatchSize: 8, maxDelay: TimeSpan.FromSeconds(1), time);
        await host.StartAsync();
        var client = host.Client("batch");
        using var cancel = new CancellationTokenSource();

        var first = client.PredictAsync(new NumberFeatures(1)).AsTask();
        await Eventually.TrueAsync(() => time.TimersCreated > 0, "the batch armed its delay");
        var cancelled = client.PredictAsync(new NumberFeatures(2), cancel.Token).AsTask();
        var third = client.PredictAsync(new NumberFeatures(3)).AsTask();

        // Whether or not the row has joined the filling batch yet, cancelling removes it.
        await cancel.CancelAsync();
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(3, await first);
        Assert.Equal(9, await third);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_BatchedWithShadowSetAtRuntime_CallersAnsweredByPrimaryAndShadowSeesEveryCall()
    {
        using var host = Build(maxBatchSize: 4, maxDelay: TimeSpan.Zero, TimeProvider.System);
        await host.StartAsync();
        var client = host.Client("batch");
        Assert.Equal(3, await client.PredictAsync(new NumberFeatures(1)));

        // Batching alone answers callers straight from their rows; a shadow set later must still see every call.
        _store.AddVersion("batch", "2", weight: 5);
        await host.Manager().SetShadowAsync("batch", "2");
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(x => client.PredictAsync(new NumberFeatures(x)).AsTask()));

        Assert.Equal(Enumerable.Range(0, 20).Select(x => x * 3d), answers);
        await Eventually.TrueAsync(() => host.Manager().GetStatus("batch").Shadows.Single().Requests == 20, "the shadow saw every call");
        Assert.Equal(19, host.Manager().GetStatus("batch").Shadows.Single().Mismatches); // x = 0 agrees
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_BatchedWithTimeout_BatchOutlivesTimeout_CallerGetsTimeout()
    {
        var time = new TestClock();
        _store.AddVersion("batch", "1", weight: 3);
        var builder = TestHost.CreateBuilder(time);
        builder.Services.AddModelServing().AddModel<BatchLinearModel, NumberFeatures, double>("batch", m => m
            .FromStore(_store.Root)
            .UseDynamicBatching(8, TimeSpan.FromSeconds(1))
            .WithTimeout(TimeSpan.FromMilliseconds(500)));
        using var host = builder.Build();
        await host.StartAsync();

        // The batch waits 1 s for more rows; the call's 500 ms timeout ends it first.
        var call = host.Client("batch").PredictAsync(new NumberFeatures(2)).AsTask();
        await Eventually.TrueAsync(() => time.TimersCreated >= 2, "the timeout and the batch delay are armed");
        time.Advance(TimeSpan.FromMilliseconds(500));

        var error = await Assert.ThrowsAsync<ModelTimeoutException>(() => call);
        Assert.Equal("batch", error.ModelName);
        await host.StopAsync();
    }

    [Fact]
    public async Task Batching_ModelWithoutBatchSupport_CallsFailWithClearError()
    {
        _store.AddVersion("lin", "1", weight: 3);
        var builder = TestHost.CreateBuilder();
        builder.Services.AddModelServing().AddModel<PlainModel, NumberFeatures, double>("lin", m => m.FromStore(_store.Root).UseDynamicBatching(4, TimeSpan.Zero));
        using var host = builder.Build();
        await host.StartAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await host.Client("lin").PredictAsync(new NumberFeatures(1)));

        Assert.Equal("Model 'lin' has batching enabled, but its model code does not implement IBatchModel.", error.Message);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_BatchQueueFull_OverloadedAtOnce_AndACancelledRowFreesItsPlaceAtOnce()
    {
        _store.AddVersion("lin", "1", weight: 2);
        var builder = TestHost.CreateBuilder(new TestClock());
        builder.Services.AddModelServing().AddModel<LinearModel, NumberFeatures, double>("lin", m => m
            .FromStore(_store.Root)
            .UseDynamicBatching(maxBatchSize: 2, TimeSpan.Zero, maxConcurrentBatches: 1, queueLimit: 2));
        using var host = builder.Build();
        await host.StartAsync();
        var tracker = host.Tracker();
        var gate = new SemaphoreSlim(0);
        tracker.PredictGate = gate;
        var client = host.Client("lin");

        // One batch runs (stuck in Predict); two rows wait for the next; a fourth has no room.
        var running = client.PredictAsync(new NumberFeatures(1)).AsTask();
        await tracker.PredictEntered.WaitAsync(TimeSpan.FromSeconds(10));
        using var cancel = new CancellationTokenSource();
        var leaving = client.PredictAsync(new NumberFeatures(2), cancel.Token).AsTask();
        var staying = client.PredictAsync(new NumberFeatures(3)).AsTask();
        var full = await Assert.ThrowsAsync<ModelOverloadedException>(async () => await client.PredictAsync(new NumberFeatures(4)));

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        var admitted = client.PredictAsync(new NumberFeatures(5)).AsTask();
        tracker.PredictGate = null;
        gate.Release(10);

        Assert.Equal("Model 'lin' is at its concurrency limit and its queue is full; retry after 1 s.", full.Message);
        var answers = await Task.WhenAll(running, staying, admitted);
        Assert.Equal([2d, 6, 10], answers);
        await host.StopAsync();
    }
}
