using System.Text.Json;
using LyftServing.LightGbm.Internal;
using LyftServing.LightGbm.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace LyftServing.LightGbm.Tests.Internal;

/// <summary>The typed path: AddLightGbmModel&lt;TFeatures, TOutput&gt; with a fast single-row configuration and native buffers per calling thread.</summary>
public sealed class LightGbmTypedModelTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task PredictAsync_BinaryAndRegressionRows_ReproduceLightGbmsOutputs()
    {
        _store.AddVersion("trip_risk", "1", "trip_risk", runtime: false, testData: false);
        _store.AddVersion("trip_eta", "1", "trip_eta", runtime: false, testData: false);
        using var host = await TestHost.StartAsync(b => b
            .AddLightGbmModel<Trip, double>("trip_risk", Trip.Write, s => s[0], m => m.FromStore(_store.Root))
            .AddLightGbmModel<Trip, double>("trip_eta", Trip.Write, s => s[0], m => m.FromStore(_store.Root)));

        foreach (var model in new[] { "trip_risk", "trip_eta" })
        {
            var client = host.Services.GetRequiredKeyedService<IModelClient<Trip, double>>(model);
            foreach (var (row, expected) in Fixtures.Rows(model))
            {
                Assert.Equal(expected[0], await client.PredictAsync(Trip.FromRow(row)), 1e-9);
            }
        }

        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_MulticlassRows_ReadEveryClassScore()
    {
        _store.AddVersion("trip_class", "1", "trip_class", runtime: false, testData: false);
        using var host = await TestHost.StartAsync(b => b.AddLightGbmModel<Trip, TripLength>("trip_class", Trip.Write, TripLength.Read, m => m.FromStore(_store.Root)));
        var client = host.Services.GetRequiredKeyedService<IModelClient<Trip, TripLength>>("trip_class");

        foreach (var (row, expected) in Fixtures.Rows("trip_class"))
        {
            var length = await client.PredictAsync(Trip.FromRow(row));

            LightGbmTensorModelTests.AssertClose(expected, [length.ShortTrip, length.MediumTrip, length.LongTrip]);
        }

        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_TypedTestDataJson_RunsAsSelfTests()
    {
        var cases = Fixtures.Rows("trip_eta").Select(r => new { features = Trip.FromRow(r.Row), expected = r.Expected[0], tolerance = 1e-9 });
        _store.AddFiles("trip_eta", "1", new Dictionary<string, string>
        {
            ["model.txt"] = File.ReadAllText(Fixtures.ModelFile("trip_eta")),
            ["testdata.json"] = JsonSerializer.Serialize(cases),
        });

        using var host = await TestHost.StartAsync(b => b.AddLightGbmModel<Trip, double>("trip_eta", Trip.Write, s => s[0], m => m.FromStore(_store.Root).RequireSelfTests()));

        var version = Assert.Single(host.Services.GetRequiredService<IModelManager>().GetStatus("trip_eta").Versions);
        Assert.Equal((8 + 3, 0), (version.SelfTests!.Passed, version.SelfTests.Failed));
        await host.StopAsync();
    }

    [Theory]
    [InlineData("trip_risk")]
    [InlineData("trip_class")]
    public async Task PredictBatch_Rows_OneMatrixCallAgreesExactlyWithSingleRows(string model)
    {
        using var lightGbm = await LightGbmHost.LoadTypedModelAsync<Trip, double[]>(model, Trip.Write, s => s.ToArray());
        var rows = Fixtures.Rows(model);
        var trips = rows.Select(r => Trip.FromRow(r.Row)).ToArray();
        var outputs = new double[trips.Length][];

        lightGbm.PredictBatch(trips, outputs);

        for (var i = 0; i < trips.Length; i++)
        {
            Assert.Equal(lightGbm.Predict(trips[i]), outputs[i]);
            LightGbmTensorModelTests.AssertClose(rows[i].Expected, outputs[i]);
        }
    }

    [Fact]
    public async Task Predict_FeaturesTheWriterLeaves_AreMissingValues()
    {
        using var lightGbm = await LightGbmHost.LoadTypedModelAsync<Trip, double>("trip_risk", (t, row) => row[0] = t.TripKm, s => s[0]);
        using var tensors = await LightGbmHost.LoadTensorModelAsync("trip_risk");
        var trip = Trip.FromRow(Fixtures.Rows("trip_risk")[0].Row);

        // A full row written first, so a stale row in the pooled buffer would show.
        using var full = await LightGbmHost.LoadTypedModelAsync<Trip, double>("trip_risk", Trip.Write, s => s[0]);
        full.Predict(trip);
        var partial = lightGbm.Predict(trip);

        Assert.Equal(tensors.Predict(LightGbmTensorModelTests.Features([trip.TripKm, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN])).Values()[0], partial);
    }

    [Fact]
    public async Task PredictAsync_SteadyState_AllocatesNothing()
    {
        _store.AddVersion("trip_class", "1", "trip_class", runtime: false, testData: false);
        using var host = await TestHost.StartAsync(b => b.AddLightGbmModel<Trip, TripLength>("trip_class", Trip.Write, TripLength.Read, m => m.FromStore(_store.Root)));
        var client = host.Services.GetRequiredKeyedService<IModelClient<Trip, TripLength>>("trip_class");
        var trip = Trip.FromRow(Fixtures.Rows("trip_class")[0].Row);
        for (var i = 0; i < 100; i++)
        {
            await client.PredictAsync(trip);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = 0.0;
        for (var i = 0; i < 1000; i++)
        {
            sum += (await client.PredictAsync(trip)).MediumTrip;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(sum > 0);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_HotSwapsUnderConcurrentLoad_NoCallFailsAndEveryAnswerIsFromAServedVersion()
    {
        // Versions alternate between the binary and the regression model, so each answer shows which one served it.
        _store.AddVersion("trip", "1", "trip_risk", runtime: false, testData: false);
        using var host = await TestHost.StartAsync(b => b.AddLightGbmModel<Trip, double>("trip", Trip.Write, s => s[0], m => m.FromStore(_store.Root)));
        var manager = host.Services.GetRequiredService<IModelManager>();
        var client = host.Services.GetRequiredKeyedService<IModelClient<Trip, double>>("trip");
        var (row, _) = Fixtures.Rows("trip_risk")[0];
        var trip = Trip.FromRow(row);
        var risk = Fixtures.Rows("trip_risk")[0].Expected[0];
        var eta = Fixtures.Rows("trip_eta")[0].Expected[0];
        using var stop = new CancellationTokenSource();
        var failures = 0;
        var calls = 0;
        var callers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var score = await client.PredictAsync(trip);
                    if (Math.Abs(score - risk) > 1e-9 && Math.Abs(score - eta) > 1e-9)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failures);
                }

                Interlocked.Increment(ref calls);
            }
        })).ToArray();

        for (var version = 2; version <= 20; version++)
        {
            _store.AddVersion("trip", version.ToString(System.Globalization.CultureInfo.InvariantCulture), version % 2 == 0 ? "trip_eta" : "trip_risk", runtime: false, testData: false);
            await manager.RefreshAsync("trip");
        }

        stop.Cancel();
        await Task.WhenAll(callers);

        var status = manager.GetStatus("trip");
        Assert.Equal(0, failures);
        Assert.True(calls > 100, $"only {calls} calls");
        Assert.Equal("20", status.PrimaryVersion);
        Assert.Equal(eta, await client.PredictAsync(trip), 1e-9);
        await host.StopAsync();
    }

    [Fact]
    public async Task Dispose_WhileACallRuns_WaitsForItBeforeFreeingTheBooster()
    {
        using var entered = new ManualResetEventSlim();
        using var leave = new ManualResetEventSlim();
        var block = 0;
        var lightGbm = await LightGbmHost.LoadTypedModelAsync<Trip, double>("trip_risk", (t, row) =>
        {
            Trip.Write(t, row);
            if (Volatile.Read(ref block) == 1)
            {
                entered.Set();
                leave.Wait();
            }
        }, s => s[0]);
        var (row, expected) = Fixtures.Rows("trip_risk")[0];
        var booster = lightGbm.Booster;
        Volatile.Write(ref block, 1);
        var call = Task.Factory.StartNew(() => lightGbm.Predict(Trip.FromRow(row)), TaskCreationOptions.LongRunning);
        Assert.True(entered.Wait(TimeSpan.FromSeconds(10)));
        Volatile.Write(ref block, 0);

        using var disposed = new ManualResetEventSlim();
        var dispose = Task.Factory.StartNew(
            () =>
            {
                lightGbm.Dispose();
                disposed.Set();
            },
            TaskCreationOptions.LongRunning);
        var disposedEarly = disposed.Wait(TimeSpan.FromMilliseconds(200));
        var openWhileInUse = !booster.Handle.IsClosed;
        leave.Set();
        var score = await call.WaitAsync(TimeSpan.FromSeconds(10));
        await dispose.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(disposedEarly, "Dispose returned while a call was still using the booster");
        Assert.True(openWhileInUse);
        Assert.Equal(expected[0], score, 1e-9);
        Assert.True(booster.Handle.IsClosed);
        var error = Assert.Throws<ObjectDisposedException>(() => lightGbm.Predict(Trip.FromRow(row)));
        Assert.Contains("Model 'trip_risk' version '1' has been unloaded", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_FromInsideItsOwnWriter_TheNestedCallGetsAPredictorOfItsOwn()
    {
        var rows = Fixtures.Rows("trip_risk");
        LightGbmTypedModel<Trip, double>? model = null;
        var inner = double.NaN;
        using var lightGbm = await LightGbmHost.LoadTypedModelAsync<Trip, double>("trip_risk", (t, row) =>
        {
            // The outer call's row is written when the nested call runs on the same thread: sharing
            // the outer call's buffers would score the nested row for both.
            Trip.Write(t, row);
            if (t.PriorCancellations >= 0)
            {
                inner = model!.Predict(Trip.FromRow(rows[1].Row) with { PriorCancellations = -1 });
            }
        }, s => s[0]);
        model = lightGbm;
        var standalone = lightGbm.Predict(Trip.FromRow(rows[1].Row) with { PriorCancellations = -1 });
        var predictors = lightGbm.Booster.Rows.Count;

        var outer = lightGbm.Predict(Trip.FromRow(rows[0].Row));

        Assert.Equal(rows[0].Expected[0], outer, 1e-9);
        Assert.Equal(standalone, inner);
        Assert.NotEqual(outer, inner);
        Assert.Equal(predictors, lightGbm.Booster.Rows.Count);
    }

    [Fact]
    public async Task Predict_FromThreadsThatEnd_TheirPredictorsAreHandedOn()
    {
        using var lightGbm = await LightGbmHost.LoadTypedModelAsync<Trip, double>("trip_risk", Trip.Write, s => s[0]);
        var (row, expected) = Fixtures.Rows("trip_risk")[0];
        for (var i = 0; i < 50; i++)
        {
            var score = double.NaN;
            var thread = new Thread(() => score = lightGbm.Predict(Trip.FromRow(row)));
            thread.Start();
            thread.Join();
            Assert.Equal(expected[0], score, 1e-9);
        }

        // The loading thread's predictor (made at load) and the one the 50 threads passed on.
        Assert.InRange(lightGbm.Booster.Rows.Count, 1, 2);
    }
}
