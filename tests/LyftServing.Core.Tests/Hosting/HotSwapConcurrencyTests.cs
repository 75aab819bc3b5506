using System.Globalization;
using LyftServing.Tests.TestModels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace LyftServing.Tests.Hosting;

public sealed class HotSwapConcurrencyTests : IDisposable
{
    private const int Callers = 8;
    private const int NewVersions = 50;
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task PredictAsync_FiftyVersionsPromotedUnderLoad_NoFailedCallAndEveryAnswerFromAPrimaryOfItsCall()
    {
        // Version v has weight v, so an answer for x = 1 names the version that produced it.
        _store.AddVersion("lin", "1", weight: 1);
        var builder = TestHost.CreateBuilder();
        builder.Services.AddModelServing().AddModel<LinearModel, NumberFeatures, double>("lin", m => m.FromStore(_store.Root));
        using var host = builder.Build();

        await SwapUnderLoadAsync(host, firstVersion: 1);
    }

    [Fact]
    public async Task PredictAsync_FiftyVersionsPromotedUnderLoadWithEveryStageOn_NoFailedCallAndEveryAnswerFromAPrimaryOfItsCall()
    {
        // Limit, timeout, batching, a shadow (version 1, never promoted) and the prediction log, all at once.
        _store.AddVersion("lin", "1", weight: 1);
        _store.AddVersion("lin", "2", weight: 2);
        var sink = new CountingSink();
        var builder = TestHost.CreateBuilder();
        builder.Services.AddSingleton<IPredictionSink>(sink);
        builder.Services.AddModelServing().AddModel<LinearModel, NumberFeatures, double>("lin", m => m
            .FromStore(_store.Root)
            .LimitConcurrency(4, queueLimit: 64)
            .WithTimeout(TimeSpan.FromSeconds(60))
            .UseDynamicBatching(4, TimeSpan.FromMilliseconds(1), maxConcurrentBatches: 2)
            .ShadowVersion("1", sampleRate: 0.5)
            .LogPredictions());
        using var host = builder.Build();

        ShadowStatus? shadow = null;
        var calls = await SwapUnderLoadAsync(host, firstVersion: 2, beforeStop: () => shadow = host.Manager().GetStatus("lin").Shadows.Single());

        Assert.Equal("1", shadow?.Version);
        Assert.True(shadow!.Requests + shadow.Dropped > 0, "the shadow saw calls");
        Assert.Equal(calls, sink.Records); // stop flushed the prediction log: one record per answered call
    }

    /// <summary>
    /// Callers call in a loop while versions firstVersion + 1 … firstVersion + 50 are published and
    /// promoted one by one; returns the number of calls made.
    /// </summary>
    private async Task<long> SwapUnderLoadAsync(IHost host, int firstVersion, Action? beforeStop = null)
    {
        await host.StartAsync();
        var client = host.Client("lin");
        host.Tracker().PredictBusyTime = TimeSpan.FromMilliseconds(1); // calls are in flight during every swap
        var manager = host.Manager();
        int Primary() => int.Parse(manager.GetStatus("lin").PrimaryVersion!, CultureInfo.InvariantCulture);
        Assert.Equal(firstVersion, Primary());

        using var stop = new CancellationTokenSource();
        var calls = new long[Callers];
        var failures = new List<string>();
        var callers = Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var before = Primary();
                try
                {
                    var answer = (int)await client.PredictAsync(new NumberFeatures(1));
                    var after = Primary();
                    if (answer < before || answer > after)
                    {
                        lock (failures)
                        {
                            failures.Add($"answer from version {answer}, but the primary went from {before} to {after} during the call");
                        }
                    }
                }
                catch (Exception ex)
                {
                    lock (failures)
                    {
                        failures.Add(ex.ToString());
                    }
                }

                Interlocked.Increment(ref calls[caller]);
                await Task.Yield();
            }
        })).ToArray();

        var last = firstVersion + NewVersions;
        for (var version = firstVersion + 1; version <= last; version++)
        {
            // Every caller keeps calling across every swap: wait for each to make progress first.
            var seen = calls.ToArray();
            while (calls.Select((_, i) => Interlocked.Read(ref calls[i]) - seen[i]).Min() < 3)
            {
                await Task.Delay(1);
            }

            _store.AddVersion("lin", version.ToString(CultureInfo.InvariantCulture), weight: version);
            await manager.RefreshAsync("lin");
            Assert.Equal(version, Primary());
        }

        await stop.CancelAsync();

        // The callers' last rows may not fill a batch, and the host's clock is a FakeTimeProvider:
        // move it by the batch's MaxDelay until they are answered (the 60 s timeout stays far off).
        var clock = (FakeTimeProvider)host.Services.GetRequiredService<TimeProvider>();
        var stopped = Task.WhenAll(callers);
        while (!stopped.IsCompleted)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            await Task.WhenAny(stopped, Task.Delay(1));
        }

        await stopped;
        var loaded = host.Manager().GetStatus("lin").Shadows.Count + 1;
        await host.WaitForStatusAsync("lin", s => s.Versions.Count == loaded);

        Assert.Empty(failures);
        Assert.All(calls, c => Assert.True(c > 0));
        var tracker = host.Tracker();
        Assert.Equal(NewVersions + firstVersion, tracker.Created.Count);
        Assert.Equal(0, tracker.CallsOnDisposedInstances);
        var serving = host.Manager().GetStatus("lin").Versions.Select(v => v.Version).ToHashSet();
        Assert.All(tracker.Created.Where(m => !serving.Contains(m.Version)), m => Assert.True(m.IsDisposed, $"version {m.Version} was retired but not disposed"));
        beforeStop?.Invoke();
        await host.StopAsync();
        Assert.All(tracker.Created, m => Assert.True(m.IsDisposed));
        return calls.Sum();
    }

    private sealed class CountingSink : IPredictionSink
    {
        private long _records;

        public long Records => Interlocked.Read(ref _records);

        public ValueTask WriteAsync(IReadOnlyList<PredictionRecord> records, CancellationToken cancellationToken)
        {
            Interlocked.Add(ref _records, records.Count);
            return ValueTask.CompletedTask;
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
