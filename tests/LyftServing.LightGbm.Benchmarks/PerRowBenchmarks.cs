using BenchmarkDotNet.Attributes;
using LyftServing.LightGbm.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.ML;

namespace LyftServing.LightGbm.Benchmarks;

/// <summary>The features of the trip models: six numbers.</summary>
public sealed record Trip(double TripKm, double HourOfDay, double SurgeMultiplier, double DriverRating, double RiderTenureDays, double PriorCancellations);

/// <summary>The same trip in ML.NET's schema (float columns).</summary>
public sealed class MlNetTrip
{
    public float TripKm { get; set; }

    public float HourOfDay { get; set; }

    public float SurgeMultiplier { get; set; }

    public float DriverRating { get; set; }

    public float RiderTenureDays { get; set; }

    public float PriorCancellations { get; set; }
}

/// <summary>ML.NET's output schema: the probability.</summary>
public sealed class MlNetRisk
{
    public float Probability { get; set; }
}

/// <summary>
/// One row through the host's typed path (<c>IModelClient.PredictAsync</c> of a model added with
/// <c>AddLightGbmModel&lt;Trip, double&gt;</c>) against the raw fast single-row C API call
/// (<c>LGBM_BoosterPredictForMatSingleRowFast</c>) on the very same booster, with a fast
/// configuration made for it once; the runtime alone; and, for scale, ML.NET's
/// <c>PredictionEngine</c> on the ML.NET-trained model of the same data.
/// </summary>
[MemoryDiagnoser]
public unsafe class PerRowBenchmarks
{
    private IHost _host = null!;
    private string _store = null!;
    private IModelClient<Trip, double> _client = null!;
    private LightGbmTypedModel<Trip, double> _model = null!;
    private Trip _trip = null!;
    private FastConfigHandle _config = null!;
    private nint _rawConfig;
    private double* _row;
    private double* _score;
    private PredictionEngine<MlNetTrip, MlNetRisk> _engine = null!;
    private MlNetTrip _mlNetTrip = null!;

    /// <summary>trip_risk: binary, 30 trees; trip_class: multiclass, 3 × 30 trees (the first score is read).</summary>
    [Params("trip_risk", "trip_class")]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        // A store with only the model file: the fixture's testdata.json is in the runtime's (Tensors) format.
        _store = Directory.CreateTempSubdirectory("lyftserving-bench-").FullName;
        Directory.CreateDirectory(Path.Combine(_store, Model, "1"));
        File.Copy(Path.Combine(AppContext.BaseDirectory, "assets", "lightgbm", Model, "1", "model.txt"), Path.Combine(_store, Model, "1", "model.txt"));

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging();
        // What AddLightGbmModel<Trip, double> registers, with a factory that keeps the model code
        // it creates (one version is loaded: it is the primary), so the raw call can use its booster.
        builder.Services.AddModelServing()
            .AddLightGbmRuntime()
            .AddRuntimeModel<Trip, double>(
                Model,
                LightGbmModelServingBuilderExtensions.RuntimeName,
                sp => _model = new LightGbmTypedModel<Trip, double>(Write, scores => scores[0], sp.GetRequiredService<IModelSettings<LightGbmModelSettings>>(), sp.GetRequiredService<ILoggerFactory>()),
                m => m.FromStore(_store));
        _host = builder.Build();
        _host.StartAsync().GetAwaiter().GetResult();
        _client = _host.Services.GetRequiredKeyedService<IModelClient<Trip, double>>(Model);
        _trip = new Trip(16.187, 21, 1.1, 4.01, 577, 0);

        // The raw call runs on the booster the host loaded, with the same settings (num_threads=1).
        var booster = _model.Booster;
        LightGbmApi.Check(
            LightGbmApi.LGBM_BoosterPredictForMatSingleRowFastInit(booster.Handle, 0, 0, 0, LightGbmApi.DataTypeFloat64, booster.FeatureCount, "num_threads=1", out _config),
            "benchmark",
            "FastInit");
        _rawConfig = _config.DangerousGetHandle();
        _row = (double*)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)booster.FeatureCount, sizeof(double));
        _score = (double*)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)booster.OutputCount, sizeof(double));

        var context = new MLContext();
        var mlNetModel = context.Model.Load(Path.Combine(AppContext.BaseDirectory, "assets", "lightgbm", "trip_risk_mlnet", "1", "model.zip"), out _);
        _engine = context.Model.CreatePredictionEngine<MlNetTrip, MlNetRisk>(mlNetModel);
        _mlNetTrip = new MlNetTrip { TripKm = 16.187f, HourOfDay = 21, SurgeMultiplier = 1.1f, DriverRating = 4.01f, RiderTenureDays = 577, PriorCancellations = 0 };

        if (RawFastSingleRow() != HostTyped() || RuntimeOnly() != HostTyped())
        {
            throw new InvalidOperationException("The raw call and the host disagree.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _config.Dispose();
        System.Runtime.InteropServices.NativeMemory.Free(_row);
        System.Runtime.InteropServices.NativeMemory.Free(_score);
        _engine.Dispose();
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
        Directory.Delete(_store, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "raw C API fast single row")]
    public double RawFastSingleRow()
    {
        var row = new Span<double>(_row, 6);
        Write(_trip, row);
        long length;
        if (LightGbmApi.LGBM_BoosterPredictForMatSingleRowFast(_rawConfig, _row, &length, _score) != 0)
        {
            throw new InvalidOperationException(LightGbmApi.LastError());
        }

        return _score[0];
    }

    [Benchmark(Description = "LyftServing typed PredictAsync")]
    public double HostTyped()
    {
        var pending = _client.PredictAsync(_trip);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The runtime alone, without the host: splits the host's overhead from the runtime's.</summary>
    [Benchmark(Description = "runtime Predict (no host)")]
    public double RuntimeOnly() => _model.Predict(_trip);

    /// <summary>ML.NET's PredictionEngine on the ML.NET-trained binary model of the same data (managed trees), for scale.</summary>
    [Benchmark(Description = "ML.NET PredictionEngine (trip_risk_mlnet)")]
    public float MlNetPredictionEngine() => _engine.Predict(_mlNetTrip).Probability;

    private static void Write(Trip trip, Span<double> row)
    {
        row[0] = trip.TripKm;
        row[1] = trip.HourOfDay;
        row[2] = trip.SurgeMultiplier;
        row[3] = trip.DriverRating;
        row[4] = trip.RiderTenureDays;
        row[5] = trip.PriorCancellations;
    }
}
