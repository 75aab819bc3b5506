// An "existing service" that adds LyftServing through its NuGet packages: it serves a fare model
// from its bundled store, predicts, hot-swaps to a pinned older version, and checks the answers.
// eng/verify-packages.sh packs the repository and runs this; a non-zero exit code fails CI.
using System.Globalization;
using LyftServing;
using LyftServing.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddModelServing()
    .AddModel<FareModel, Trip, decimal>("fare", m => m.FromStore(Path.Combine(AppContext.BaseDirectory, "models")).RequireSelfTests());

using var host = builder.Build();
await host.StartAsync();

var fare = host.Services.GetRequiredKeyedService<IModelClient<Trip, decimal>>("fare");
var manager = host.Services.GetRequiredService<IModelManager>();
var trip = new Trip(DistanceKm: 10, Minutes: 20);

var newest = await fare.PredictAsync(trip);
await manager.PromoteAsync("fare", "1");
var older = await fare.PredictAsync(trip);

// The Testing package runs a version's self-tests the way the host does, for CI.
using var store = new InMemoryModelStore();
store.AddVersion("fare", "9", new Dictionary<string, string>
{
    ["tariff.txt"] = "2.5 0.5 0.3",
    ["testdata.json"] = """[{"features": {"distanceKm": 2, "minutes": 10}, "expected": 6.5}]""",
});
var model = new FareModel();
var artifact = await store.GetArtifactAsync("fare", "9", CancellationToken.None);
await model.LoadAsync(artifact, CancellationToken.None);
var report = await SelfTestRunner.RunAsync(model, artifact);

await host.StopAsync();

Console.WriteLine($"fare v2: {newest}, fare v1: {older}, self-tests: {report.Passed} passed, {report.Failed} failed");
return newest == 17.5m && older == 14.5m && report.Succeeded ? 0 : 1;

/// <summary>The features of a trip.</summary>
public sealed record Trip(decimal DistanceKm, decimal Minutes);

/// <summary>A fare model: base + per km + per minute, read from the version's tariff.txt.</summary>
public sealed class FareModel : IModel<Trip, decimal>
{
    private decimal[] _tariff = [];

    public async ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        var text = await File.ReadAllTextAsync(artifact.GetPath("tariff.txt"), cancellationToken);
        _tariff = [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => decimal.Parse(t, CultureInfo.InvariantCulture))];
    }

    public decimal Predict(Trip features) => _tariff[0] + (_tariff[1] * features.DistanceKm) + (_tariff[2] * features.Minutes);
}
