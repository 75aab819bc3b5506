using System.Globalization;
using LyftServing;

namespace LyftService.Models;

/// <summary>The features of a trip.</summary>
/// <param name="DistanceKm">The distance in km.</param>
/// <param name="Minutes">The duration in minutes.</param>
public sealed record Trip(decimal DistanceKm, decimal Minutes);

/// <summary>
/// A fare model: base + per km + per minute, read from the version's tariff.txt, rounded to the
/// decimals its model.json's properties ask for. Replace it with your model code: LoadAsync runs
/// once per version, Predict on many threads at once.
/// </summary>
public sealed class FareModel : IModel<Trip, decimal>
{
    private decimal[] _tariff = [];
    private int _decimals = 2;

    /// <inheritdoc />
    public async ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        var text = await File.ReadAllTextAsync(artifact.GetPath("tariff.txt"), cancellationToken);
        _tariff = [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => decimal.Parse(t, CultureInfo.InvariantCulture))];
        if (artifact.Manifest.Properties.TryGetValue("decimals", out var decimals))
        {
            _decimals = decimals.GetInt32();
        }
    }

    /// <inheritdoc />
    public decimal Predict(Trip features) =>
        decimal.Round(_tariff[0] + (_tariff[1] * features.DistanceKm) + (_tariff[2] * features.Minutes), _decimals);
}
