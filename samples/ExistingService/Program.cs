// An "existing service" that adds LyftServing through its NuGet packages only: it serves a C#
// fare model and an ONNX model from its bundled store, calls them in-process and over its own
// POST /infer, hot-swaps a version, runs self-tests the CI way, and checks every answer.
// eng/verify-packages.sh packs the repository and runs this; a non-zero exit code fails CI.
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using LyftServing;
using LyftServing.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls("http://127.0.0.1:0");
var models = Path.Combine(AppContext.BaseDirectory, "models");
builder.Services.AddModelServing()
    .AddOnnxRuntime()
    .AddModel<FareModel, Trip, decimal>("fare", m => m
        .FromStore(models)
        .WatchForNewVersions(TimeSpan.FromSeconds(30))
        .RequireSelfTests())
    .AddOnnxModel("tabular_mlp", m => m.FromStore(models).RequireSelfTests());
builder.Services.AddSingleton<Quotes>();

var app = builder.Build();
app.MapModelServing();
await app.StartAsync();

// In-process, typed.
var quotes = app.Services.GetRequiredService<Quotes>();
var trip = new Trip(DistanceKm: 10, Minutes: 20);
var newest = await quotes.QuoteAsync(trip, CancellationToken.None);
// An operator's promotion is recorded in the store (models/fare/.lyftserving/decision.json), so
// it would outlive this run: unpin afterwards to hand the choice back to the version policy.
var manager = app.Services.GetRequiredService<IModelManager>();
await manager.PromoteAsync("fare", "1");
var older = await quotes.QuoteAsync(trip, CancellationToken.None);
await manager.UnpinAsync("fare");
var newestAgain = await quotes.QuoteAsync(trip, CancellationToken.None);

// Over HTTP, from the same service.
var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
using var http = new HttpClient { BaseAddress = new Uri(address) };
using var response = await http.PostAsJsonAsync("/infer", JsonDocument.Parse("""
    {"model_id": "tabular_mlp", "features": {"features": [[1.28, 0.76, 1.02, 0.33, 0.40, -0.72, 0.01, 0.73]]}}
    """).RootElement);
var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
var score = answer.GetProperty("output").GetProperty("score")[0][0].GetSingle();

// The Testing package and SelfTestRunner run a version's self-tests the way the host does, for CI.
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

await app.StopAsync();

Console.WriteLine($"fare v2: {newest}, fare v1: {older}, tabular_mlp over HTTP: {score}, self-tests: {report.Passed} passed, {report.Failed} failed");
return newest == 17.5m && older == 14.5m && newestAgain == newest && Math.Abs(score - 0.951762f) < 1e-5 && report.Succeeded ? 0 : 1;

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

/// <summary>A class of the service that calls the model, injected by name.</summary>
public sealed class Quotes([FromKeyedServices("fare")] IModelClient<Trip, decimal> fare)
{
    public ValueTask<decimal> QuoteAsync(Trip trip, CancellationToken cancellationToken) => fare.PredictAsync(trip, cancellationToken);
}
