using System.Text.Json;
using LyftServing.LightGbm.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LyftServing.LightGbm.Tests.Internal;

/// <summary>The untyped (JSON) path: the lightgbm runtime serving model.txt version folders with no C# model code.</summary>
public sealed class LightGbmTensorModelTests
{
    private const double Tolerance = 1e-9;

    public static TheoryData<string> NativeModels => [.. Fixtures.NativeModels];

    [Fact]
    public async Task StartAsync_DiscoveredVersionFolders_ServeWithNoCodeAndPassSelfTests()
    {
        using var host = await LightGbmHost.StartFixturesAsync();
        var manager = host.Services.GetRequiredService<IModelManager>();

        var statuses = manager.GetStatus().Where(s => s.Runtime == "lightgbm").ToList();

        Assert.Equal(["trip_class", "trip_eta", "trip_risk"], statuses.Select(s => s.Name));
        foreach (var status in statuses)
        {
            var version = Assert.Single(status.Versions);
            Assert.Equal(ModelVersionState.Ready, version.State);
            Assert.Equal(8, version.SelfTests!.Passed);
            Assert.Equal(0, version.SelfTests.Failed);
        }

        await host.StopAsync();
    }

    [Theory]
    [MemberData(nameof(NativeModels))]
    public async Task PredictAsync_EveryCaseAsJson_ReproducesLightGbmsOutputs(string model)
    {
        using var host = await LightGbmHost.StartFixturesAsync();
        var client = JsonClient(host, model);

        foreach (var testCase in Fixtures.Cases(model))
        {
            var score = Scores(await client.PredictAsync(testCase.Json, version: null));

            Assert.Equal(testCase.Expected.Length, score.Length);
            for (var r = 0; r < score.Length; r++)
            {
                AssertClose(testCase.Expected[r], score[r]);
            }
        }

        await host.StopAsync();
    }

    [Theory]
    [MemberData(nameof(NativeModels))]
    public async Task Predict_SingleRowsAndOneMatrix_AgreeExactlyAndWithLightGbm(string model)
    {
        using var lightGbm = await LightGbmHost.LoadTensorModelAsync(model);
        var rows = Fixtures.Rows(model);

        // Each row alone (the fast single-row API), then all rows in one call (the matrix API).
        var single = rows.Select(r => lightGbm.Predict(Features(r.Row)).Values()).ToArray();
        var matrix = lightGbm.Predict(Features([.. rows.Select(r => r.Row)]))["score"];

        Assert.Equal([rows.Count, Fixtures.Outputs(model)], matrix.Shape.ToArray());
        var width = Fixtures.Outputs(model);
        for (var r = 0; r < rows.Count; r++)
        {
            Assert.Equal(matrix.GetValues<double>().Slice(r * width, width).ToArray(), single[r]);
            AssertClose(rows[r].Expected, single[r]);
        }
    }

    [Theory]
    [MemberData(nameof(NativeModels))]
    public async Task PredictBatch_RowsOfSeveralCalls_RunAsOneMatrixAndSplitBack(string model)
    {
        using var lightGbm = await LightGbmHost.LoadTensorModelAsync(model);
        var cases = Fixtures.Cases(model);
        var features = cases.Select(c => Features([.. c.Rows])).ToArray();
        var outputs = new Tensors[features.Length];

        lightGbm.PredictBatch(features, outputs);

        for (var i = 0; i < cases.Count; i++)
        {
            var score = outputs[i]["score"];
            Assert.Equal([cases[i].Rows.Length, Fixtures.Outputs(model)], score.Shape.ToArray());
            AssertClose([.. cases[i].Expected.SelectMany(e => e)], score.GetValues<double>().ToArray());
        }
    }

    [Fact]
    public async Task GetStatus_LoadedVersion_ShowsFeatureNamesScoresAndObjective()
    {
        using var host = await LightGbmHost.StartFixturesAsync();

        var version = Assert.Single(host.Services.GetRequiredService<IModelManager>().GetStatus("trip_class").Versions);

        var input = Assert.Single(version.Signature!.Inputs);
        Assert.Equal("features", input.Name);
        Assert.Equal("float64[N,6]", input.ToString());
        Assert.Equal(Fixtures.FeatureNames, input.ColumnNames);
        Assert.Equal("score float64[N,3]", $"{version.Signature.Outputs[0].Name} {version.Signature.Outputs[0]}");
        var metadata = Assert.IsType<LightGbmModelMetadata>(version.Metadata);
        Assert.Equal(("multiclass", 30, 3, LightGbmPredictionType.Normal), (metadata.Objective, metadata.Iterations, metadata.Classes, metadata.PredictionType));
        await host.StopAsync();
    }

    public static TheoryData<string, string> BadFeatures => new()
    {
        // features, message
        {
            """{"features": [[1, 2, 3]]}""",
            "'$.features' has shape [1,3], but input 'features' (float64[N,6]) needs size 6 in dimension 1."
        },
        {
            """{"trip_km": 1, "hour_of_day": 2, "surge": 1, "driver_rating": 4, "rider_tenure_days": 5, "prior_cancellations": 0}""",
            "'$.surge' is not a feature of model 'trip_risk'; its features are: trip_km, hour_of_day, surge_multiplier, driver_rating, rider_tenure_days, prior_cancellations (or send rows as {\"features\": [[…]]})."
        },
        {
            """{"trip_km": 1, "hour_of_day": 2}""",
            "'$' lacks the features surge_multiplier, driver_rating, rider_tenure_days, prior_cancellations of model 'trip_risk'; its features are: trip_km, hour_of_day, surge_multiplier, driver_rating, rider_tenure_days, prior_cancellations."
        },
        {
            """{"features": [[1, "two", 3, 4, 5, 6]]}""",
            "'$.features[0][1]' is a string, but '$.features[0][0]' is a number; all elements of a tensor must be of one kind (all numbers, all strings or all true/false)."
        },
        {
            """{"features": [["1", "2", "3", "4", "5", "6"]]}""",
            "'$.features' must hold numbers for input 'features' (float64[N,6]), not strings."
        },
        {
            """{"features": [[1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5]]}""",
            "'$.features[1]' has 5 elements, but '$.features[0]' has 6; a tensor must be a rectangular nested array (ragged arrays are not allowed)."
        },
        {
            """{"score": [[1, 2, 3, 4, 5, 6]]}""",
            "'$.score' is not a feature of model 'trip_risk'; its features are: trip_km, hour_of_day, surge_multiplier, driver_rating, rider_tenure_days, prior_cancellations (or send rows as {\"features\": [[…]]})."
        },
    };

    [Theory]
    [MemberData(nameof(BadFeatures))]
    public async Task PredictAsync_BadFeatures_ClearErrorAndTheModelKeepsServing(string features, string message)
    {
        using var host = await LightGbmHost.StartFixturesAsync();
        var client = JsonClient(host, "trip_risk");
        var good = Fixtures.Cases("trip_risk")[0];

        var error = await Assert.ThrowsAsync<ModelFeaturesException>(async () =>
            await client.PredictAsync(JsonDocument.Parse(features).RootElement, version: null, "$"));

        Assert.True(message == error.Message, error.Message);
        AssertClose(good.Expected[0], Scores(await client.PredictAsync(good.Json, version: null))[0]);
        await host.StopAsync();
    }

    [Fact]
    public async Task Predict_CodeCallerWithFloatOrIntegerTensors_ConvertsThemToFloat64()
    {
        using var lightGbm = await LightGbmHost.LoadTensorModelAsync("trip_eta");
        var (row, expected) = Fixtures.Rows("trip_eta")[0];

        var fromFloats = lightGbm.Predict(new Tensors { { "features", Tensor.Create(row.Select(v => (float)v).ToArray(), 1, 6) } }).Values();
        var fromIntegers = lightGbm.Predict(new Tensors { { "features", Tensor.Create(new long[] { 3, 8, 1, 5, 100, 0 }, 1, 6) } }).Values();

        // The fixture rows hold floats rounded to a few decimals: float32 changes them, the prediction may move a little.
        Assert.Equal(expected[0], fromFloats[0], 1e-3);
        Assert.Equal(lightGbm.Predict(Features([3, 8, 1, 5, 100, 0])).Values(), fromIntegers);
    }

    [Fact]
    public async Task Predict_NoRows_ClearError()
    {
        using var lightGbm = await LightGbmHost.LoadTensorModelAsync("trip_class");

        var error = Assert.Throws<ModelFeaturesException>(() => lightGbm.Predict(new Tensors { { "features", Tensor.Create(Array.Empty<double>(), 0, 6) } }));

        Assert.Equal("'$.features' has no rows (shape [0,6]): send at least one row to input 'features' (float64[N,6]), such as [[…]].", error.Message);
    }

    [Fact]
    public async Task Predict_MissingValues_AreScoredAsLightGbmScoresNaN()
    {
        using var lightGbm = await LightGbmHost.LoadTensorModelAsync("trip_risk");
        double[] row = [double.NaN, 8, double.NaN, 4.5, 100, 0];

        var single = lightGbm.Predict(Features(row)).Values();
        var matrix = lightGbm.Predict(Features(row, row)).Values();

        Assert.Equal(matrix[0], single[0]);
        Assert.InRange(single[0], 0, 1);
    }

    [Fact]
    public async Task Dispose_DuringARunningCall_FreesTheBoosterOnlyAfterTheCallLeaves()
    {
        var lightGbm = await LightGbmHost.LoadTensorModelAsync("trip_risk");
        var booster = lightGbm.Booster;
        var call = booster.Lifetime.Enter();

        lightGbm.Dispose();
        var stillOpen = !booster.Handle.IsClosed;
        booster.PredictRow(Fixtures.Rows("trip_risk")[0].Row, new double[1]);
        call.Dispose();

        Assert.True(stillOpen);
        Assert.True(booster.Handle.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => lightGbm.Predict(Features(Fixtures.Rows("trip_risk")[0].Row)));
    }

    internal static Tensors Features(params double[][] rows) =>
        new() { { "features", Tensor.Create(rows.SelectMany(r => r).ToArray(), rows.Length, rows[0].Length) } };

    internal static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], Tolerance);
        }
    }

    private static IJsonModelClient JsonClient(IHost host, string model)
    {
        Assert.True(host.Services.GetRequiredService<IModelProvider>().TryGetJsonClient(model, out var client));
        return client!;
    }

    private static double[][] Scores(JsonPrediction prediction)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            prediction.WriteOutput(writer);
        }

        var output = JsonDocument.Parse(stream.ToArray()).RootElement;
        return [.. output.GetProperty("score").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray())];
    }
}

/// <summary>Reads a model's scores.</summary>
internal static class TensorsExtensions
{
    public static double[] Values(this Tensors outputs) => outputs["score"].GetValues<double>().ToArray();
}
