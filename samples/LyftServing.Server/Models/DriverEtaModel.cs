using System.Text.Json;

namespace LyftServing.Server.Models;

/// <summary>The features of a driver ETA request (snake_case on the wire: <c>distance_km</c>, …).</summary>
/// <param name="DistanceKm">Route distance from the driver to the pickup, in kilometres.</param>
/// <param name="Stops">Stops on the way (pickups and drop-offs of a shared ride).</param>
/// <param name="HourOfDay">Local hour of the request, 0 to 23.</param>
/// <param name="TrafficIndex">Congestion on the route, from 0 (free-flowing) to 1 (standstill).</param>
public sealed record EtaFeatures(double DistanceKm, int Stops, int HourOfDay, double TrafficIndex);

/// <summary>The predicted time until the driver arrives.</summary>
/// <param name="EtaSeconds">Seconds until arrival.</param>
public sealed record EtaPrediction(double EtaSeconds);

/// <summary>
/// Driver ETA as a linear model whose weights live in the version folder (<c>weights.json</c>), so
/// a new version is a new folder, not a new build. Registered as the runtime <c>driver-eta-linear</c>:
/// a version folder whose <c>model.json</c> names it is served by this class.
/// </summary>
public sealed class DriverEtaModel : IModel<EtaFeatures, EtaPrediction>, IModelMetadataSource
{
    private static readonly JsonSerializerOptions WeightsJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        RespectRequiredConstructorParameters = true,
    };

    private EtaWeights _weights = null!;
    private string _modelName = "driver_eta";

    public async ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        _modelName = artifact.ModelName;
        var stream = File.OpenRead(artifact.GetPath("weights.json"));
        await using (stream.ConfigureAwait(false))
        {
            _weights = await JsonSerializer.DeserializeAsync<EtaWeights>(stream, WeightsJson, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException("weights.json must hold an object, not null.");
        }
    }

    public EtaPrediction Predict(EtaFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);

        // Range checks the JSON types cannot express: answered as 400 naming the field.
        if (features.DistanceKm < 0)
        {
            throw ModelFeaturesException.AtPath(_modelName, "$.distance_km", "must be 0 or more.");
        }

        if (features.Stops < 0)
        {
            throw ModelFeaturesException.AtPath(_modelName, "$.stops", "must be 0 or more.");
        }

        if (features.HourOfDay is < 0 or > 23)
        {
            throw ModelFeaturesException.AtPath(_modelName, "$.hour_of_day", "must be an integer from 0 to 23.");
        }

        if (features.TrafficIndex is < 0 or > 1)
        {
            throw ModelFeaturesException.AtPath(_modelName, "$.traffic_index", "must be a number from 0 to 1.");
        }

        var w = _weights;
        var rushHour = features.HourOfDay is (>= 7 and < 10) or (>= 16 and < 19) ? 1 : 0;
        var seconds = w.InterceptSeconds
            + (w.SecondsPerKm * features.DistanceKm)
            + (w.SecondsPerStop * features.Stops)
            + (w.RushHourSeconds * rushHour)
            + (w.TrafficSecondsPerKm * features.TrafficIndex * features.DistanceKm);
        return new EtaPrediction(Math.Round(Math.Max(seconds, 0), 1));
    }

    public object GetMetadata() => _weights;

    /// <summary>The coefficients in <c>weights.json</c>.</summary>
    public sealed record EtaWeights(
        double InterceptSeconds,
        double SecondsPerKm,
        double SecondsPerStop,
        double RushHourSeconds,
        double TrafficSecondsPerKm);
}
