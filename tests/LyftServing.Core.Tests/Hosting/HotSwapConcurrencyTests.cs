using System.Globalization;
using LyftServing.Tests.TestModels;
using Microsoft.Extensions.DependencyInjection;

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
        await host.StartAsync();
        var client = host.Client("lin");
        host.Tracker().PredictBusyTime = TimeSpan.FromMilliseconds(1); // calls are in flight during every swap
        var manager = host.Manager();
        int Primary() => int.Parse(manager.GetStatus("lin").PrimaryVersion!, CultureInfo.InvariantCulture);

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

        for (var version = 2; version <= NewVersions + 1; version++)
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
        await Task.WhenAll(callers);
        await host.WaitForStatusAsync("lin", s => s.Versions.Count == 1);

        Assert.Empty(failures);
        Assert.All(calls, c => Assert.True(c > 0));
        var tracker = host.Tracker();
        Assert.Equal(NewVersions + 1, tracker.Created.Count);
        Assert.Equal(0, tracker.CallsOnDisposedInstances);
        Assert.All(tracker.Created.Where(m => m.Version != "51"), m => Assert.True(m.IsDisposed, $"version {m.Version} was retired but not disposed"));
        await host.StopAsync();
        Assert.All(tracker.Created, m => Assert.True(m.IsDisposed));
    }
}
