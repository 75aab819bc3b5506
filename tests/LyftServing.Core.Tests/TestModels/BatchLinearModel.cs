using System.Collections.Concurrent;
using System.Globalization;

namespace LyftServing.Tests.TestModels;

/// <summary>A batch-capable linear model; a negative x fails its row (and, in a batch, the whole batch call).</summary>
public sealed class BatchLinearModel : IBatchModel<NumberFeatures, double>
{
    private double _weight;

    public static ConcurrentQueue<int> BatchSizes { get; } = new();

    public async ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken) =>
        _weight = double.Parse(await File.ReadAllTextAsync(artifact.GetPath("weight.txt"), cancellationToken), CultureInfo.InvariantCulture);

    public double Predict(NumberFeatures features) =>
        features.X < 0 ? throw new ArgumentOutOfRangeException(nameof(features), $"x = {features.X} is negative") : features.X * _weight;

    public void PredictBatch(ReadOnlySpan<NumberFeatures> features, Span<double> outputs)
    {
        BatchSizes.Enqueue(features.Length);
        for (var i = 0; i < features.Length; i++)
        {
            outputs[i] = Predict(features[i]);
        }
    }
}
