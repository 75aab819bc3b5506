using System.Globalization;

namespace LyftServing.Testing.Tests.TestModels;

public sealed record Trip(decimal DistanceKm, decimal Minutes);

/// <summary>The tutorial's fare model: base + per km + per minute, from the version's tariff.txt.</summary>
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
