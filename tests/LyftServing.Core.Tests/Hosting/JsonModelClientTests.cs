using System.Text.Json;
using LyftServing.Tests.TestModels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LyftServing.Tests.Hosting;

public sealed class JsonModelClientTests : IAsyncLifetime
{
    private readonly TempStore _store = new();
    private IHost _host = null!;

    public record TripFeatures(double DistanceKm, int Stops, TripKind Kind, Location? Pickup = null);

    public record Location(double Lat, double Lon);

    public enum TripKind
    {
        Standard,
        Shared,
    }

    public sealed class TripModel : IModel<TripFeatures, double>
    {
        public ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public double Predict(TripFeatures features) => features.DistanceKm * 2 + features.Stops;
    }

    public async Task InitializeAsync()
    {
        _store.AddVersion("trip", "1", weight: 1);
        var builder = TestHost.CreateBuilder();
        builder.Services.AddModelServing().AddModel<TripModel, TripFeatures, double>("trip", m => m.FromStore(_store.Root));
        _host = builder.Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        _store.Dispose();
    }

    private IJsonModelClient Client =>
        _host.Services.GetRequiredService<IModelProvider>().TryGetJsonClient("trip", out var client) ? client : throw new InvalidOperationException();

    private async Task<string> ErrorFor(string json)
    {
        var error = await Assert.ThrowsAsync<ModelFeaturesException>(async () => await Client.PredictAsync(JsonDocument.Parse(json).RootElement, null));
        Assert.Equal("trip", error.ModelName);
        return $"{error.Path} | {error.Message}";
    }

    [Fact]
    public async Task PredictAsync_ValidFeatures_ReturnsOutputAndVersionAsJson()
    {
        var result = await Client.PredictAsync(JsonDocument.Parse("""{"distanceKm": 3.5, "stops": 1, "kind": 0}""").RootElement, null);

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            result.WriteOutput(writer);
        }

        Assert.Equal("1", result.ModelVersion);
        Assert.Equal("8", System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public async Task PredictFeaturesAsync_FeaturesOfTheModelsType_ThroughThePipelineWithTheVersion()
    {
        var result = await Client.PredictFeaturesAsync(new TripFeatures(3.5, 1, TripKind.Standard), "1");

        Assert.Equal(("trip", "1", 8d), (result.ModelName, result.ModelVersion, (double)result.Output!));
        Assert.Equal((typeof(TripFeatures), typeof(double)), (Client.FeaturesTypeInfo.Type, Client.OutputTypeInfo.Type));
        await Assert.ThrowsAsync<ModelNotFoundException>(async () => await Client.PredictFeaturesAsync(new TripFeatures(1, 1, TripKind.Shared), "2"));
#pragma warning disable CA2012 // The argument is checked before a ValueTask exists: the call throws, nothing is left to await.
        Assert.Throws<ArgumentException>(() => Client.PredictFeaturesAsync("not features", null));
#pragma warning restore CA2012
    }

    [Theory]
    [InlineData("""{"distanceKm": "far", "stops": 1, "kind": 0}""", "$.distanceKm | '$.distanceKm' must be a number.")]
    [InlineData("""{"distanceKm": 1, "stops": 99999999999, "kind": 0}""", "$.stops | '$.stops' must be an integer from -2147483648 to 2147483647.")]
    [InlineData("""{"distanceKm": 1e400, "stops": 1, "kind": 0}""", "$.distanceKm | '$.distanceKm' is out of range: numbers must fit a 64-bit floating-point number (at most about 1.8e308 in size).")]
    [InlineData("""{"distanceKm": 1, "stops": 1.5, "kind": 0}""", "$.stops | '$.stops' must be an integer from -2147483648 to 2147483647.")]
    [InlineData("""{"distanceKm": 1, "stops": 1, "kind": 0, "speed": 3}""", "$.speed | '$.speed' is not a feature of model 'trip'; expected only: distanceKm, stops, kind, pickup.")]
    [InlineData("""{"distanceKm": 1, "stops": 1, "kind": 0, "pickup": {"lat": true, "lon": 1}}""", "$.pickup.lat | '$.pickup.lat' must be a number.")]
    [InlineData("""{"distanceKm": 1, "kind": 0}""", "$ | '$' is missing required features; required: distanceKm, stops, kind.")]
    [InlineData("""[1, 2]""", "$ | '$' must be an object.")]
    [InlineData("""null""", "$ | Model 'trip' needs features (an object) at '$', not null.")]
    [InlineData("""{"distanceKm": null, "stops": 1, "kind": 0}""", "$.distanceKm | '$.distanceKm' must be a number.")]
    public async Task PredictAsync_BadFeatures_ThrowsNamingPathAndExpectation(string json, string expected)
    {
        Assert.Equal(expected, await ErrorFor(json));
    }

    [Fact]
    public async Task PredictAsync_NestedDeeperThanLimit_ThrowsFeaturesError()
    {
        var deep = string.Concat(Enumerable.Repeat("""{"a":""", 40)) + "1" + new string('}', 40);

        var message = await ErrorFor($$"""{"distanceKm": 1, "stops": 1, "kind": 0, "pickup": {{deep}}}""");

        Assert.StartsWith("$.pickup", message, StringComparison.Ordinal);
    }
}
