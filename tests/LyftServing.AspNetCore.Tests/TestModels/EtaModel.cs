using System.Text.Json;

namespace LyftServing.AspNetCore.Tests.TestModels;

/// <summary>Features of the ETA test model (snake_case on the wire: distance_km, stops).</summary>
public sealed record EtaFeatures(double DistanceKm, int Stops);

/// <summary>Output of the ETA test model.</summary>
public sealed record EtaOutput(double EtaSeconds);

/// <summary>
/// A tiny real model: a linear ETA whose weights are read from the version's <c>weights.json</c>.
/// </summary>
public sealed class EtaModel : IModel<EtaFeatures, EtaOutput>
{
    private Weights _weights = new(0, 0, 0);

    public static Dictionary<string, string> Files(double intercept, double perKm, double perStop) => new()
    {
        ["weights.json"] = JsonSerializer.Serialize(new Weights(intercept, perKm, perStop)),
        ["testdata.json"] = $$$"""[{"name": "two stops", "features": {"distance_km": 10, "stops": 2}, "expected": {"eta_seconds": {{{intercept + (10 * perKm) + (2 * perStop)}}}}}]""",
    };

    public async ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(artifact.GetPath("weights.json"));
        _weights = await JsonSerializer.DeserializeAsync<Weights>(stream, cancellationToken: cancellationToken)
            ?? throw new InvalidDataException("weights.json is null.");
    }

    public EtaOutput Predict(EtaFeatures features)
    {
        return new EtaOutput(_weights.Intercept + (features.DistanceKm * _weights.PerKm) + (features.Stops * _weights.PerStop));
    }

    private sealed record Weights(double Intercept, double PerKm, double PerStop);
}
