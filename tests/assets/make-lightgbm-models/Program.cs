// Trains the small LightGBM fixture models of tests/assets/lightgbm on a seeded synthetic data set of
// trips, through LightGBM's own C API (lib_lightgbm, the LightGBM package) and through ML.NET's
// LightGBM trainer, and writes each with test cases whose expected outputs LightGBM (or ML.NET)
// computed itself:
//
//   trip_risk/1        binary (probability of a problem trip)     model.txt, model.json, testdata.json
//   trip_class/1       multiclass (short, medium, long trip)      model.txt, model.json, testdata.json
//   trip_eta/1         regression (minutes)                       model.txt, model.json, testdata.json
//   trip_risk_mlnet/1  binary, ML.NET (Microsoft.ML.LightGbm)     model.zip, testdata.json
//
// Usage: cd tests/assets/make-lightgbm-models && dotnet run   (writes ../lightgbm; or pass the folder)
// Training is single-threaded with deterministic=true and fixed seeds, so a rerun writes the same files.
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Trainers.LightGbm;

var root = args.Length > 0 ? args[0] : Path.Combine("..", "lightgbm");
string[] featureNames = ["trip_km", "hour_of_day", "surge_multiplier", "driver_rating", "rider_tenure_days", "prior_cancellations"];
var train = Trips.Generate(seed: 20260101, rows: 600);
var test = Trips.Generate(seed: 777, rows: 10);
const string Common = "num_leaves=15 min_data_in_leaf=10 learning_rate=0.1 num_threads=1 deterministic=true force_row_wise=true seed=42 verbosity=-1";

Native.Train(root, "trip_risk", "binary: the probability that a trip goes wrong", $"objective=binary {Common}", featureNames, train, train.Select(Trips.Risk).ToArray(), test);
Native.Train(root, "trip_class", "multiclass: short (0), medium (1) or long (2) trip", $"objective=multiclass num_class=3 {Common}", featureNames, train, train.Select(Trips.Class).ToArray(), test);
Native.Train(root, "trip_eta", "regression: the trip's duration in minutes", $"objective=regression {Common}", featureNames, train, train.Select(Trips.Eta).ToArray(), test);
MlNet.Train(root, "trip_risk_mlnet", train, test);

/// <summary>The synthetic trips: six features and three targets, from a seeded generator.</summary>
internal static class Trips
{
    public static double[][] Generate(int seed, int rows)
    {
        var random = new Random(seed);
        double U() => random.NextDouble();
        return [.. Enumerable.Range(0, rows).Select(_ => new[]
        {
            Math.Round(0.5 + (30 * U() * U()), 3),          // trip_km
            Math.Floor(24 * U()),                            // hour_of_day
            Math.Round(1 + (1.5 * Math.Pow(U(), 3)), 2),     // surge_multiplier
            Math.Round(4 + U(), 2),                          // driver_rating
            Math.Floor(1000 * U()),                          // rider_tenure_days
            Math.Floor(5 * U() * U()),                       // prior_cancellations
            (U() + U() + U() - 1.5) * 2,                     // noise (not a feature)
        })];
    }

    public static float Risk(double[] t) =>
        -1 + (0.08 * t[0]) - (1.8 * (t[3] - 4.5)) + (0.6 * t[5]) + (0.8 * (t[2] - 1)) + (t[1] < 6 ? 0.7 : 0) - (0.001 * t[4]) + (0.7 * t[6]) > 0 ? 1 : 0;

    public static float Eta(double[] t) =>
        (float)(2 + (1.8 * t[0] * (1 + (0.3 * (t[2] - 1)))) + (t[1] is >= 7 and <= 9 or >= 16 and <= 19 ? 6 : 0) + (2 * t[6]));

    public static float Class(double[] t) => Eta(t) switch { < 15 => 0, < 35 => 1, _ => 2 };
}

/// <summary>Training and scoring through lib_lightgbm's C API.</summary>
internal static unsafe partial class Native
{
    private const string Library = "lib_lightgbm";
    private const int Float32 = 0;
    private const int Float64 = 1;

    public static void Train(string root, string name, string description, string parameters, string[] featureNames, double[][] rows, float[] labels, double[][] test)
    {
        var featureCount = featureNames.Length;
        var data = Flatten(rows, featureCount);
        Check(LGBM_DatasetCreateFromMat(data, Float64, rows.Length, featureCount, 1, "max_bin=63 verbosity=-1", 0, out var dataset));
        var names = featureNames.Select(n => Marshal.StringToCoTaskMemUTF8(n)).ToArray();
        fixed (nint* namePointers = names)
        {
            Check(LGBM_DatasetSetFeatureNames(dataset, namePointers, names.Length));
        }

        Check(LGBM_DatasetSetField(dataset, "label", labels, labels.Length, Float32));
        Check(LGBM_BoosterCreate(dataset, parameters, out var booster));
        for (var i = 0; i < 30; i++)
        {
            Check(LGBM_BoosterUpdateOneIter(booster, out _));
        }

        var directory = Path.Combine(root, name, "1");
        Directory.CreateDirectory(directory);
        var modelPath = Path.Combine(directory, "model.txt");
        Check(LGBM_BoosterSaveModel(booster, 0, -1, 0, modelPath));
        Check(LGBM_BoosterFree(booster));
        Check(LGBM_DatasetFree(dataset));

        // Expected outputs from the saved file, as a server loads it, through the matrix API.
        Check(LGBM_BoosterCreateFromModelfile(modelPath, out _, out var loaded));
        Check(LGBM_BoosterCalcNumPredict(loaded, 1, 0, 0, -1, out var width));
        var testData = Flatten(test, featureCount);
        var scores = new double[test.Length * width];
        Check(LGBM_BoosterPredictForMat(loaded, testData, Float64, test.Length, featureCount, 1, 0, 0, -1, "num_threads=1", out _, scores));
        Check(LGBM_BoosterFree(loaded));

        File.WriteAllText(Path.Combine(directory, "model.json"), $$"""
            {
              "runtime": "lightgbm",
              "description": "{{description}}; trained by tests/assets/make-lightgbm-models"
            }

            """);
        var cases = new List<object>();
        for (var r = 0; r < test.Length - 4; r++)
        {
            cases.Add(new { name = $"row {r}", features = new { features = new[] { Row(testData, r, featureCount) } }, expected = new { score = new[] { Row(scores, r, (int)width) } }, tolerance = 1e-9 });
        }

        // One row by feature name, and a batch of the last four rows in one call.
        var named = test.Length - 4;
        cases.Add(new
        {
            name = $"row {named} by feature name",
            features = featureNames.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => testData[(named * featureCount) + p.i]),
            expected = new { score = new[] { Row(scores, named, (int)width) } },
            tolerance = 1e-9,
        });
        cases.Add(new
        {
            name = $"rows {named}-{test.Length - 1} in one call",
            features = new { features = Enumerable.Range(named, 4).Select(r => Row(testData, r, featureCount)).ToArray() },
            expected = new { score = Enumerable.Range(named, 4).Select(r => Row(scores, r, (int)width)).ToArray() },
            tolerance = 1e-9,
        });
        WriteJson(Path.Combine(directory, "testdata.json"), cases);
        Console.WriteLine($"{modelPath}: {new FileInfo(modelPath).Length} bytes, {width} output(s) per row");
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void WriteJson(string path, object value) =>
        File.WriteAllText(path, JsonSerializer.Serialize(value, Indented) + "\n");

    private static double[] Flatten(double[][] rows, int featureCount) => [.. rows.SelectMany(r => r.Take(featureCount))];

    private static double[] Row(double[] values, int row, int width) => values.AsSpan(row * width, width).ToArray();

    private static void Check(int result)
    {
        if (result != 0)
        {
            throw new InvalidOperationException(Marshal.PtrToStringUTF8(LGBM_GetLastError()));
        }
    }

    [LibraryImport(Library)]
    private static partial nint LGBM_GetLastError();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_DatasetCreateFromMat(double[] data, int dataType, int rows, int columns, int isRowMajor, string parameters, nint reference, out nint dataset);

    [LibraryImport(Library)]
    private static partial int LGBM_DatasetSetFeatureNames(nint dataset, nint* names, int count);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_DatasetSetField(nint dataset, string field, float[] data, int count, int type);

    [LibraryImport(Library)]
    private static partial int LGBM_DatasetFree(nint dataset);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_BoosterCreate(nint dataset, string parameters, out nint booster);

    [LibraryImport(Library)]
    private static partial int LGBM_BoosterUpdateOneIter(nint booster, out int finished);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_BoosterSaveModel(nint booster, int startIteration, int iterations, int importanceType, string path);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_BoosterCreateFromModelfile(string path, out int iterations, out nint booster);

    [LibraryImport(Library)]
    private static partial int LGBM_BoosterCalcNumPredict(nint booster, int rows, int predictType, int startIteration, int iterations, out long length);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_BoosterPredictForMat(nint booster, double[] data, int dataType, int rows, int columns, int isRowMajor, int predictType, int startIteration, int iterations, string parameters, out long length, [Out] double[] result);

    [LibraryImport(Library)]
    private static partial int LGBM_BoosterFree(nint booster);
}

/// <summary>The same binary model trained by ML.NET (its LightGBM trainer), saved as a zip.</summary>
internal static class MlNet
{
    public static void Train(string root, string name, double[][] rows, double[][] test)
    {
        var context = new MLContext(seed: 42);
        var data = context.Data.LoadFromEnumerable(rows.Select(r => new TripRow(ToFeatures(r), Trips.Risk(r) > 0)));
        var trainer = context.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
        {
            NumberOfIterations = 30,
            NumberOfLeaves = 15,
            MinimumExampleCountPerLeaf = 10,
            LearningRate = 0.1,
            NumberOfThreads = 1,
            Seed = 42,
            Verbose = false,
            Silent = true,
        });
        var pipeline = context.Transforms.Concatenate("Features", TripFeatures.Columns).Append(trainer);
        var model = pipeline.Fit(data);
        var directory = Path.Combine(root, name, "1");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "model.zip");
        context.Model.Save(model, data.Schema, path);

        // Expected outputs from the saved file, as a server loads it.
        var loaded = context.Model.Load(path, out _);
        using var engine = context.Model.CreatePredictionEngine<TripFeatures, TripRisk>(loaded);
        var cases = test.Select((r, i) =>
        {
            var features = ToFeatures(r);
            return new { name = $"row {i}", features, expected = engine.Predict(features), tolerance = 1e-6 };
        }).ToList();
        Native.WriteJson(Path.Combine(directory, "testdata.json"), cases);
        Console.WriteLine($"{path}: {new FileInfo(path).Length} bytes");
    }

    private static TripFeatures ToFeatures(double[] r) => new()
    {
        TripKm = (float)r[0],
        HourOfDay = (float)r[1],
        SurgeMultiplier = (float)r[2],
        DriverRating = (float)r[3],
        RiderTenureDays = (float)r[4],
        PriorCancellations = (float)r[5],
    };
}

/// <summary>The ML.NET input schema (the same class as in the tests' ML.NET model code).</summary>
internal class TripFeatures
{
    public static readonly string[] Columns = [nameof(TripKm), nameof(HourOfDay), nameof(SurgeMultiplier), nameof(DriverRating), nameof(RiderTenureDays), nameof(PriorCancellations)];

    public float TripKm { get; set; }

    public float HourOfDay { get; set; }

    public float SurgeMultiplier { get; set; }

    public float DriverRating { get; set; }

    public float RiderTenureDays { get; set; }

    public float PriorCancellations { get; set; }
}

/// <summary>A training row: the features and the label.</summary>
internal sealed class TripRow : TripFeatures
{
    public TripRow(TripFeatures features, bool label)
    {
        (TripKm, HourOfDay, SurgeMultiplier, DriverRating, RiderTenureDays, PriorCancellations, Label) =
            (features.TripKm, features.HourOfDay, features.SurgeMultiplier, features.DriverRating, features.RiderTenureDays, features.PriorCancellations, label);
    }

    public bool Label { get; set; }
}

/// <summary>The ML.NET output schema: the calibrated probability.</summary>
internal sealed class TripRisk
{
    public float Probability { get; set; }
}
