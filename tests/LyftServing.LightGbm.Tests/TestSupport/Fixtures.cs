using System.Text.Json;

namespace LyftServing.LightGbm.Tests.TestSupport;

/// <summary>The LightGBM fixture models (tests/assets/lightgbm) and their test cases, with outputs computed by LightGBM itself.</summary>
public static class Fixtures
{
    /// <summary>The native models: binary, multiclass (3 classes) and regression, on the same six features.</summary>
    public static readonly string[] NativeModels = ["trip_risk", "trip_class", "trip_eta"];

    public static readonly string[] FeatureNames = ["trip_km", "hour_of_day", "surge_multiplier", "driver_rating", "rider_tenure_days", "prior_cancellations"];

    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "assets", "lightgbm");

    public static string VersionDirectory(string model) => Path.Combine(Root, model, "1");

    public static string ModelFile(string model) => Path.Combine(VersionDirectory(model), "model.txt");

    /// <summary>The number of scores per row.</summary>
    public static int Outputs(string model) => model == "trip_class" ? 3 : 1;

    /// <summary>The cases of a native model's testdata.json: rows of features (by position) and the scores LightGBM computed for them.</summary>
    public static IReadOnlyList<TestCase> Cases(string model)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(VersionDirectory(model), "testdata.json")));
        var cases = new List<TestCase>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var features = item.GetProperty("features");
            var rows = features.TryGetProperty("features", out var byPosition)
                ? byPosition.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray()
                : [FeatureNames.Select(n => features.GetProperty(n).GetDouble()).ToArray()];
            var expected = item.GetProperty("expected").GetProperty("score").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
            cases.Add(new TestCase(item.GetProperty("name").GetString()!, features.Clone(), rows, expected));
        }

        return cases;
    }

    /// <summary>Every row of a model's cases, one by one, with its expected scores.</summary>
    public static IReadOnlyList<(double[] Row, double[] Expected)> Rows(string model) =>
        [.. Cases(model).SelectMany(c => c.Rows.Zip(c.Expected))];

    /// <summary>One test case: its JSON features as in testdata.json, its rows, and the expected scores per row.</summary>
    public sealed record TestCase(string Name, JsonElement Json, double[][] Rows, double[][] Expected);
}
