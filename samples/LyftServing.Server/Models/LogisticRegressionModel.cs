using System.Text.Json;

namespace LyftServing.Server.Models;

/// <summary>A probability and the label it implies at the model's threshold.</summary>
/// <param name="Probability">The probability of the positive class.</param>
/// <param name="Label">Whether the probability reaches the threshold.</param>
public sealed record Score(double Probability, bool Label);

/// <summary>
/// Any logistic regression whose coefficients live in the version folder: <c>weights.json</c>
/// (<c>{"bias": …, "weights": {"feature": coefficient, …}}</c>) and an optional
/// <c>threshold</c> in <c>model.json</c>'s properties. Registered as the runtime
/// <c>logistic-regression</c>, so a new model of this kind is a folder in the store, not code.
/// Features are a JSON object of numbers, one per coefficient.
/// </summary>
public sealed class LogisticRegressionModel : IModel<Dictionary<string, double>, Score>, IModelMetadataSource
{
    private string _modelName = "";
    private double _bias;
    private KeyValuePair<string, double>[] _weights = [];
    private double _threshold = 0.5;

    public async ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        _modelName = artifact.ModelName;
        var stream = File.OpenRead(artifact.GetPath("weights.json"));
        await using (stream.ConfigureAwait(false))
        {
            var file = await JsonSerializer.DeserializeAsync<WeightsFile>(stream, JsonSerializerOptions.Web, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException("weights.json must hold an object, not null.");
            _bias = file.Bias;
            _weights = [.. file.Weights];
        }

        if (artifact.Manifest.Properties.TryGetValue("threshold", out var threshold))
        {
            _threshold = threshold.GetDouble();
        }
    }

    public Score Predict(Dictionary<string, double> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var z = _bias;
        foreach (var (name, weight) in _weights)
        {
            if (!features.TryGetValue(name, out var value))
            {
                throw ModelFeaturesException.AtPath(_modelName, "$", $"is missing the feature '{name}'; required: {string.Join(", ", _weights.Select(w => w.Key))}.");
            }

            z += weight * value;
        }

        if (features.Count != _weights.Length)
        {
            var unknown = features.Keys.First(k => !_weights.Any(w => w.Key == k));
            throw ModelFeaturesException.AtPath(_modelName, "$." + unknown, $"is not a feature of model '{_modelName}'; expected only: {string.Join(", ", _weights.Select(w => w.Key))}.");
        }

        var probability = Math.Round(1 / (1 + Math.Exp(-z)), 6);
        return new Score(probability, probability >= _threshold);
    }

    public object GetMetadata() => new { Features = _weights.Select(w => w.Key).ToArray(), Threshold = _threshold };

    private sealed record WeightsFile(double Bias, Dictionary<string, double> Weights);
}
