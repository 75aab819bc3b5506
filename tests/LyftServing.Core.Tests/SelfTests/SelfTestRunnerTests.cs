using LyftServing.Tests.TestModels;

namespace LyftServing.Tests.SelfTests;

public sealed class SelfTestRunnerTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    public sealed record Point(double X, double Y, string Label);

    public sealed class PointModel : IModel<NumberFeatures, Point>, IModelTestData<NumberFeatures, Point>
    {
        public ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public Point Predict(NumberFeatures features) => features.X < 0
            ? throw new ArgumentOutOfRangeException(nameof(features), "x must not be negative")
            : new Point(features.X, features.X * 1.0000001, features.X > 1 ? "big" : "small");

        public IEnumerable<ModelTestCase<NumberFeatures, Point>> TestData =>
        [
            new(new NumberFeatures(1), new Point(1, 1, "small"), Name: "code case"),
        ];
    }

    [Fact]
    public async Task RunAsync_CodeAndFileCases_ComparesNumbersWithinToleranceAndOtherValuesExactly()
    {
        var directory = _store.AddFiles("p", "1", new Dictionary<string, string>
        {
            ["testdata.json"] = """
                [
                  {"name": "ok", "features": {"x": 2}, "expected": {"x": 2, "y": 2, "label": "big"}},
                  {"name": "label", "features": {"x": 2}, "expected": {"x": 2, "y": 2, "label": "small"}},
                  {"name": "tight", "features": {"x": 1000}, "expected": {"x": 1000, "y": 1000, "label": "big"}, "tolerance": 1e-12},
                  {"name": "throws", "features": {"x": -1}, "expected": {"x": 0, "y": 0, "label": "small"}}
                ]
                """,
        });
        var artifact = await ModelArtifact.FromDirectoryAsync("p", "1", directory);

        var report = await SelfTestRunner.RunAsync(new PointModel(), artifact);

        Assert.Equal(["code case", "ok", "label", "tight", "throws"], report.Cases.Select(c => c.Name));
        Assert.Equal([true, true, false, false, false], report.Cases.Select(c => c.Passed));
        Assert.Equal("""$.label: expected "small", got "big" """.TrimEnd(), report.Cases[2].Message);
        Assert.StartsWith("$.y: expected 1000, got 1000.0001", report.Cases[3].Message, StringComparison.Ordinal);
        Assert.Equal("Predict threw ArgumentOutOfRangeException: x must not be negative (Parameter 'features')", report.Cases[4].Message);
        Assert.Equal(2, report.Passed);
        Assert.Equal(3, report.Failed);
        Assert.False(report.Succeeded);
        Assert.Equal("""{"x":1}""", report.ExampleFeatures?.GetRawText());
        Assert.Equal("""{"x":1,"y":1.0000001,"label":"small"}""", report.ExampleOutput?.GetRawText()); // what the model answered
    }

    [Fact]
    public async Task RunAsync_TestDataMissingExpected_ThrowsInvalidData()
    {
        var directory = _store.AddFiles("p", "1", new Dictionary<string, string> { ["testdata.json"] = """[{"features": {"x": 2}}]""" });
        var artifact = await ModelArtifact.FromDirectoryAsync("p", "1", directory);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => SelfTestRunner.RunAsync(new PointModel(), artifact));

        Assert.StartsWith("testdata.json is not valid at '$[0]'", error.Message, StringComparison.Ordinal);
    }
}
