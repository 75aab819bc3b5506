using System.Globalization;
using LyftServing.LightGbm.Internal;
using LyftServing.LightGbm.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace LyftServing.LightGbm.Tests.Internal;

/// <summary>
/// Outside tests of the typed single-row path's per-thread predictors and their guard: calls from
/// many threads while the booster is disposed, writers that throw, and versions swapped, shadowed
/// and unloaded under typed load through the host.
/// </summary>
public sealed class LightGbmRowPredictorsTests : IDisposable
{
    /// <summary>A trip whose writer throws (the writers below throw for this many prior cancellations).</summary>
    private const double Poison = -7;

    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    private static void WriteOrThrow(Trip trip, Span<double> row)
    {
        Trip.Write(trip, row);
        if (trip.PriorCancellations == Poison)
        {
            throw new FormatException("the writer refused this trip");
        }
    }

    [Fact]
    public async Task Dispose_WhileManyThreadsCall_EveryCallScoresOrIsRefusedAsUnloadedAndDisposeReturns()
    {
        var (row, expected) = Fixtures.Rows("trip_risk")[0];
        var good = Trip.FromRow(row);
        var poisoned = good with { PriorCancellations = Poison };
        for (var round = 0; round < 10; round++)
        {
            var lightGbm = await LightGbmHost.LoadTypedModelAsync<Trip, double>("trip_risk", WriteOrThrow, s => s[0]);
            var booster = lightGbm.Booster;
            var failures = new List<string>();
            var calls = 0;
            var refused = new int[6];
            using var started = new CountdownEvent(refused.Length);
            var threads = Enumerable.Range(0, refused.Length).Select(t => new Thread(() =>
            {
                started.Signal();
                var i = 0;
                while (Volatile.Read(ref refused[t]) < 3)
                {
                    i++;
                    try
                    {
                        // Every third call's writer throws: its predictor must be free again afterwards.
                        var score = lightGbm.Predict(i % 3 == 0 ? poisoned : good);
                        if (i % 3 == 0 || Math.Abs(score - expected[0]) > 1e-9)
                        {
                            lock (failures)
                            {
                                failures.Add($"call {i} on thread {t} scored {score}");
                            }
                        }

                        Interlocked.Increment(ref calls);
                    }
                    catch (FormatException) when (i % 3 == 0)
                    {
                    }
                    catch (ObjectDisposedException ex) when (ex.Message.Contains("Model 'trip_risk' version '1' has been unloaded", StringComparison.Ordinal))
                    {
                        refused[t]++;
                    }
                    catch (Exception ex)
                    {
                        lock (failures)
                        {
                            failures.Add(ex.ToString());
                        }

                        return;
                    }
                }
            }) { IsBackground = true }).ToArray();
            foreach (var thread in threads)
            {
                thread.Start();
            }

            Assert.True(started.Wait(TimeSpan.FromSeconds(10)));
            while (Volatile.Read(ref calls) < 200 && failures.Count == 0)
            {
                Thread.Yield();
            }

            var dispose = Task.Factory.StartNew(lightGbm.Dispose, TaskCreationOptions.LongRunning);
            await dispose.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.All(threads, t => Assert.True(t.Join(TimeSpan.FromSeconds(10))));

            Assert.Empty(failures);
            Assert.True(booster.Handle.IsClosed);
            Assert.Equal(0, booster.Rows.Count);
        }
    }

    [Fact]
    public async Task Predict_WriterThrowsInOuterAndNestedCalls_PredictorsAreFreedAndDisposeDoesNotWait()
    {
        var rows = Fixtures.Rows("trip_risk");
        LightGbmTypedModel<Trip, double>? model = null;
        var lightGbm = await LightGbmHost.LoadTypedModelAsync<Trip, double>("trip_risk", (t, row) =>
        {
            Trip.Write(t, row);
            if (t.PriorCancellations == Poison)
            {
                throw new FormatException("the writer refused this trip");
            }

            if (t.TripKm < 0)
            {
                // A nested call whose own writer throws, from inside the outer call's writer.
                model!.Predict(t with { TripKm = -t.TripKm, PriorCancellations = Poison });
            }
        }, s => s[0]);
        model = lightGbm;
        var good = Trip.FromRow(rows[0].Row);
        Assert.Equal(rows[0].Expected[0], lightGbm.Predict(good), 1e-9); // this thread's predictor
        var predictors = lightGbm.Booster.Rows.Count;

        for (var i = 0; i < 20; i++)
        {
            Assert.Throws<FormatException>(() => lightGbm.Predict(good with { PriorCancellations = Poison }));
            Assert.Throws<FormatException>(() => lightGbm.Predict(good with { TripKm = -good.TripKm }));
            Assert.Equal(rows[0].Expected[0], lightGbm.Predict(good), 1e-9);
        }

        // The nested calls' own predictors were freed when they exited; the thread's is free again.
        Assert.Equal(predictors, lightGbm.Booster.Rows.Count);
        var dispose = Task.Factory.StartNew(lightGbm.Dispose, TaskCreationOptions.LongRunning);
        await dispose.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(lightGbm.Booster.Handle.IsClosed);
    }

    [Fact]
    public async Task PredictAsync_TypedCallsWhileVersionsArePromotedShadowedAndUnloaded_EveryCallScoresOrGetsItsWritersErrorAndStopDrains()
    {
        _store.AddVersion("trip", "1", "trip_risk", runtime: false, testData: false);
        using var host = await TestHost.StartAsync(b => b.AddLightGbmModel<Trip, double>("trip", WriteOrThrow, s => s[0], m => m.FromStore(_store.Root)));
        var manager = host.Services.GetRequiredService<IModelManager>();
        var client = host.Services.GetRequiredKeyedService<IModelClient<Trip, double>>("trip");
        var trip = Trip.FromRow(Fixtures.Rows("trip_risk")[0].Row);
        var poisoned = trip with { PriorCancellations = Poison };
        var risk = Fixtures.Rows("trip_risk")[0].Expected[0];
        var eta = Fixtures.Rows("trip_eta")[0].Expected[0];
        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        long calls = 0;
        var callers = Enumerable.Range(0, 6).Select(c => Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                i++;
                try
                {
                    var score = await client.PredictAsync(i % 4 == 0 ? poisoned : trip);
                    if (i % 4 == 0 || (Math.Abs(score - risk) > 1e-9 && Math.Abs(score - eta) > 1e-9))
                    {
                        lock (failures)
                        {
                            failures.Add($"call {i} of caller {c} scored {score}");
                        }
                    }
                }
                catch (FormatException) when (i % 4 == 0)
                {
                }
                catch (Exception ex)
                {
                    lock (failures)
                    {
                        failures.Add(ex.ToString());
                    }
                }

                Interlocked.Increment(ref calls);
                if (i % 16 == 0)
                {
                    await Task.Yield();
                }
            }
        })).ToArray();

        async Task ProgressAsync()
        {
            var seen = Interlocked.Read(ref calls);
            while (Interlocked.Read(ref calls) - seen < 50 && failures.Count == 0)
            {
                await Task.Delay(1);
            }
        }

        // Versions alternate between the binary and the regression model; each round promotes one,
        // shadows the next on every call, and unloads the shadow while calls copy to it.
        for (var version = 2; version <= 13; version += 2)
        {
            await ProgressAsync();
            var promoted = version.ToString(CultureInfo.InvariantCulture);
            var shadow = (version + 1).ToString(CultureInfo.InvariantCulture);
            _store.AddVersion("trip", promoted, version % 4 == 0 ? "trip_eta" : "trip_risk", runtime: false, testData: false);
            await manager.RefreshAsync("trip");
            Assert.Equal(promoted, manager.GetStatus("trip").PrimaryVersion);
            _store.AddVersion("trip", shadow, version % 4 == 0 ? "trip_risk" : "trip_eta", runtime: false, testData: false);
            await manager.LoadVersionAsync("trip", shadow);
            await manager.SetShadowAsync("trip", shadow, sampleRate: 1.0);
            await ProgressAsync();
            await manager.UnloadVersionAsync("trip", shadow);
        }

        await stop.CancelAsync();
        await Task.WhenAll(callers);
        Assert.Empty(failures);
        Assert.Equal(0, manager.GetStatus("trip").Versions.Sum(v => v.InFlight));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await host.StopAsync(timeout.Token);
        Assert.False(timeout.IsCancellationRequested, "stopping waited for calls that had ended");
    }
}
