using System.Text.Json;
using System.Text.Json.Serialization;
using LyftServing;
using LyftServing.Server.Models;

// One process, two endpoints, the same model (driver_eta version 2 of the bundled store):
//   POST /infer  LyftServing's adapter (MapModelServing) through the model host;
//   POST /bare   a hand-written minimal API endpoint that binds the same request, calls a
//                DriverEtaModel instance directly and writes the same answer.
// run.sh drives both with wrk.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var store = Path.GetFullPath(builder.Configuration["StoreRoot"] ?? Path.Combine(AppContext.BaseDirectory, "../../../../../samples/models"));

builder.Services.AddModelServing()
    .ConfigureJson(json => json.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower)
    .AddModel<DriverEtaModel, EtaFeatures, EtaPrediction>("driver_eta", m => m.FromStore(store).PinVersion("2"));
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);

var app = builder.Build();

var bare = new DriverEtaModel();
await bare.LoadAsync(await new FileSystemModelStore(store).GetArtifactAsync("driver_eta", "2", CancellationToken.None), CancellationToken.None);

app.MapModelServing();
app.MapPost("/bare", (BareRequest request) => new BareResponse(request.ModelId, "2", bare.Predict(request.Features)));

app.Run();

internal sealed record BareRequest(string ModelId, [property: JsonPropertyName("model_version")] string? ModelVersion, EtaFeatures Features);

internal sealed record BareResponse(string ModelId, string ModelVersion, EtaPrediction Output);
