using LyftServing.LightGbm.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace LyftServing.LightGbm.Tests.Internal;

/// <summary>Loading model files: corrupt, truncated or missing ones fail the load with LightGBM's reason, and a failed version never serves.</summary>
public sealed class LightGbmBoosterTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    public static TheoryData<string, string> CorruptFiles()
    {
        var model = File.ReadAllText(Fixtures.ModelFile("trip_risk"));
        var firstTree = model.IndexOf("Tree=0", StringComparison.Ordinal);
        var secondTree = model.IndexOf("Tree=1", StringComparison.Ordinal);
        return new()
        {
            // what, file content
            { "empty", string.Empty },
            { "not a model", "this is not a LightGBM model\n" },
            { "header only", model[..firstTree] },
            { "cut inside the first tree", model[..(firstTree + ((secondTree - firstTree) / 2))] },
            { "cut in the middle", model[..(model.Length / 2)] },
            { "no end of trees", model[..model.IndexOf("end of trees", StringComparison.Ordinal)] },
            { "a tree's numbers garbled", model.Replace("leaf_value=0.20326415893622382", "leaf_value=abc", StringComparison.Ordinal) },
            { "binary zeros", new string('\0', 4096) },
        };
    }

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public async Task LoadAsync_CorruptOrTruncatedModelFile_FailsWithLightGbmsReason(string what, string content)
    {
        var version = _store.AddFiles("trip_risk", "1", new Dictionary<string, string> { ["model.txt"] = content });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => LightGbmHost.LoadTensorModelAsync("trip_risk", version));

        Assert.True(error is LightGbmException, $"{what}: {error}");
        Assert.StartsWith("Model 'trip_risk' version '1': 'model.txt' is not a LightGBM model file LightGBM can read: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_NoModelFile_SaysWhatIsMissing()
    {
        var version = _store.AddFiles("trip_risk", "1", new Dictionary<string, string> { ["model.json"] = """{"runtime": "lightgbm"}""" });

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => LightGbmHost.LoadTensorModelAsync("trip_risk", version));

        Assert.StartsWith("Model 'trip_risk' version '1' has no '.txt' file in ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refresh_NewVersionCorrupt_NeverServesAndThePreviousOneKeepsServing()
    {
        _store.AddVersion("trip_risk", "1", "trip_risk");
        using var host = await TestHost.StartAsync(b => b.AddLightGbmModel("trip_risk", m => m.FromStore(_store.Root)));
        var manager = host.Services.GetRequiredService<IModelManager>();
        var client = host.Services.GetRequiredKeyedService<IModelClient<Tensors, Tensors>>("trip_risk");
        var (row, expected) = Fixtures.Rows("trip_risk")[0];
        _store.AddFiles("trip_risk", "2", new Dictionary<string, string> { ["model.txt"] = File.ReadAllText(Fixtures.ModelFile("trip_risk"))[..5000] });

        await manager.RefreshAsync("trip_risk");
        var output = await client.PredictAsync(LightGbmTensorModelTests.Features(row));

        var status = manager.GetStatus("trip_risk");
        Assert.Equal("1", status.PrimaryVersion);
        var failed = Assert.Single(status.Versions, v => v.Version == "2");
        Assert.Equal(ModelVersionState.Failed, failed.State);
        Assert.EndsWith(
            "Model 'trip_risk' version '2': 'model.txt' is not a LightGBM model file LightGBM can read: line 60: the last tree does not end: the file is truncated.",
            failed.Error!.Message,
            StringComparison.Ordinal);
        Assert.Equal(typeof(LightGbmException).FullName, failed.Error.ErrorType);
        LightGbmTensorModelTests.AssertClose(expected, output.Values());
        await host.StopAsync();
    }

    [Fact]
    public async Task LoadAsync_SettingsFromModelJson_AreAppliedAndCheckedWithTheKeyNamed()
    {
        var raw = _store.AddFiles("trip_risk", "1", new Dictionary<string, string>
        {
            ["model.txt"] = File.ReadAllText(Fixtures.ModelFile("trip_risk")),
            ["model.json"] = """{"runtime": "lightgbm", "properties": {"predictionType": "RawScore", "numThreads": 2}}""",
        });
        var invalid = _store.AddFiles("trip_risk", "2", new Dictionary<string, string>
        {
            ["model.txt"] = File.ReadAllText(Fixtures.ModelFile("trip_risk")),
            ["model.json"] = """{"runtime": "lightgbm", "properties": {"numThreads": -1}}""",
        });
        var (row, expected) = Fixtures.Rows("trip_risk")[0];

        using var lightGbm = await LightGbmHost.LoadTensorModelAsync("trip_risk", raw);
        var rawScore = lightGbm.Predict(LightGbmTensorModelTests.Features(row)).Values()[0];
        var error = await Assert.ThrowsAnyAsync<Exception>(() => LightGbmHost.LoadTensorModelAsync("trip_risk", invalid));

        // The raw score of a binary model is the log-odds of its probability.
        Assert.Equal(expected[0], 1 / (1 + Math.Exp(-rawScore)), 1e-12);
        Assert.Equal(LightGbmPredictionType.RawScore, ((LightGbmModelMetadata)lightGbm.GetMetadata()).PredictionType);
        Assert.Contains("model.json properties.NumThreads must be from 0 (OpenMP chooses) to 1024; it is -1.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LightGbmPredictionType.LeafIndex, 30)]
    [InlineData(LightGbmPredictionType.Contributions, 7)]
    public async Task Predict_OtherPredictionTypes_ScoreAsWideAsLightGbmSays(LightGbmPredictionType type, int width)
    {
        using var lightGbm = await LightGbmHost.LoadTensorModelAsync("trip_risk", configure: s => s.PredictionType = type);
        var rows = Fixtures.Rows("trip_risk").Take(3).Select(r => r.Row).ToArray();

        var single = lightGbm.Predict(LightGbmTensorModelTests.Features(rows[0])).Values();
        var matrix = lightGbm.Predict(LightGbmTensorModelTests.Features(rows))["score"];

        Assert.Equal($"float64[N,{width}]", lightGbm.Signature.Outputs[0].ToString());
        Assert.Equal([3L, width], matrix.Shape.ToArray());
        Assert.Equal(matrix.GetValues<double>()[..width].ToArray(), single);
    }

    [Fact]
    public async Task Predict_FewerIterations_ScoresWithOnlyThose()
    {
        using var all = await LightGbmHost.LoadTensorModelAsync("trip_eta");
        using var first = await LightGbmHost.LoadTensorModelAsync("trip_eta", configure: s => s.NumIterations = 1);
        var row = LightGbmTensorModelTests.Features(Fixtures.Rows("trip_eta")[0].Row);

        Assert.NotEqual(all.Predict(row).Values()[0], first.Predict(row).Values()[0]);
    }
}
