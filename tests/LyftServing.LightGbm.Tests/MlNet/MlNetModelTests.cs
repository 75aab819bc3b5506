using System.Text.Json;
using LyftServing.LightGbm.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using TripModels;

namespace LyftServing.LightGbm.Tests.MlNet;

/// <summary>An ML.NET LightGBM model (Microsoft.ML.LightGbm, saved as a zip) served through user model code: the same host, self-tests and JSON path.</summary>
public sealed class MlNetModelTests
{
    private const double Tolerance = 1e-6;

    [Fact]
    public async Task PredictAsync_FixtureCases_ReproduceMlNetsOutputsAndPassSelfTests()
    {
        using var host = await StartAsync();
        var client = host.Services.GetRequiredKeyedService<IModelClient<TripFeatures, TripRisk>>("trip_risk_mlnet");

        foreach (var (features, expected) in Cases())
        {
            Assert.Equal(expected, (await client.PredictAsync(features)).Probability, Tolerance);
        }

        var version = Assert.Single(host.Services.GetRequiredService<IModelManager>().GetStatus("trip_risk_mlnet").Versions);
        Assert.Equal((10, 0), (version.SelfTests!.Passed, version.SelfTests.Failed));
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_ConcurrentCallersAndBatches_EveryAnswerCorrect()
    {
        using var host = await StartAsync(batching: true);
        var client = host.Services.GetRequiredKeyedService<IModelClient<TripFeatures, TripRisk>>("trip_risk_mlnet");
        var cases = Cases();

        var calls = Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            var (features, expected) = cases[i % cases.Count];
            Assert.Equal(expected, (await client.PredictAsync(features)).Probability, Tolerance);
        }));

        await Task.WhenAll(calls);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_Json_BindsTheSchemaClass()
    {
        using var host = await StartAsync();
        Assert.True(host.Services.GetRequiredService<IModelProvider>().TryGetJsonClient("trip_risk_mlnet", out var client));
        var (features, expected) = Cases()[0];

        var prediction = await client!.PredictAsync(JsonSerializer.SerializeToElement(features), version: null);

        Assert.Equal(expected, ((TripRisk)prediction.Output!).Probability, Tolerance);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("MlNetModel.cs")]
    [InlineData("TripSchema.cs")]
    public void HowTo_ShowsTheModelCodeAsItIs(string file)
    {
        var howTo = File.ReadAllText(Path.Combine(RepositoryRoot.FullPath, "docs", "how-to", "serve-lightgbm-models.md"));
        var code = File.ReadAllText(Path.Combine(RepositoryRoot.FullPath, "tests", "LyftServing.LightGbm.Tests", "MlNet", file));

        Assert.Contains("```csharp\n" + code.TrimEnd('\n') + "\n```", howTo, StringComparison.Ordinal);
    }

    private static Task<Microsoft.Extensions.Hosting.IHost> StartAsync(bool batching = false) =>
        TestHost.StartAsync(b => b.AddModel<MlNetModel<TripFeatures, TripRisk>, TripFeatures, TripRisk>("trip_risk_mlnet", m =>
        {
            m.FromStore(Fixtures.Root).RequireSelfTests();
            if (batching)
            {
                m.UseDynamicBatching(8, TimeSpan.FromMilliseconds(2));
            }
        }));

    private static List<(TripFeatures Features, float Expected)> Cases()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.VersionDirectory("trip_risk_mlnet"), "testdata.json")));
        return [.. document.RootElement.EnumerateArray().Select(c => (
            c.GetProperty("features").Deserialize<TripFeatures>()!,
            c.GetProperty("expected").GetProperty("Probability").GetSingle()))];
    }
}
