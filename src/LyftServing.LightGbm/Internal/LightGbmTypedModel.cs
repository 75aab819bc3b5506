using System.Buffers;
using Microsoft.Extensions.Logging;

namespace LyftServing.LightGbm.Internal;

/// <summary>
/// The model code of a model added with <c>AddLightGbmModel&lt;TFeatures, TOutput&gt;</c>: the user's
/// writer fills the calling thread's native row, LightGBM's fast single-row API scores it into its native
/// buffer, and the user's reader builds the output, so a call allocates nothing once the
/// thread has its predictor. Batches (dynamic batching, <see cref="IBatchModel{TFeatures, TOutput}"/>) run as one
/// matrix call on pooled arrays.
/// </summary>
/// <remarks>Thread-safe: each calling thread has its own fast configuration and buffers.</remarks>
internal sealed class LightGbmTypedModel<TFeatures, TOutput>(
    LightGbmFeatureWriter<TFeatures> write,
    LightGbmScoreReader<TOutput> read,
    IModelSettings<LightGbmModelSettings> settings,
    ILoggerFactory loggerFactory) : IBatchModel<TFeatures, TOutput>, IModelSignatureSource, IModelMetadataSource, IDisposable
{
    private LightGbmBooster? _booster;

    public ModelSignature Signature => Booster.Signature;

    /// <summary>Gets the loaded booster (for benchmarks that compare against raw calls on it).</summary>
    internal LightGbmBooster Booster => _booster ?? throw new InvalidOperationException("The LightGBM model is not loaded; LoadAsync must complete first.");

    public ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        _booster = LightGbmBooster.Load(artifact, settings.Read(artifact), loggerFactory.CreateLogger("LyftServing.LightGbm"));
        return ValueTask.CompletedTask;
    }

    public TOutput Predict(TFeatures features)
    {
        // The thread's predictor keeps the booster alive while the call runs (see LightGbmRowPredictors).
        var rows = Booster.Rows;
        var predictor = rows.Enter();
        try
        {
            var row = predictor.Row;
            row.Fill(double.NaN);
            write(features, row);
            predictor.Predict();
            return read(predictor.Scores);
        }
        finally
        {
            rows.Exit(predictor);
        }
    }

    public void PredictBatch(ReadOnlySpan<TFeatures> features, Span<TOutput> outputs)
    {
        if (features.Length != outputs.Length)
        {
            throw new ArgumentException($"The outputs span has {outputs.Length} items, but there are {features.Length} rows of features.", nameof(outputs));
        }

        if (features.Length == 1)
        {
            outputs[0] = Predict(features[0]);
            return;
        }

        var booster = Booster;
        var (width, height) = (booster.FeatureCount, booster.OutputCount);
        var rows = ArrayPool<double>.Shared.Rent(features.Length * width);
        var scores = ArrayPool<double>.Shared.Rent(features.Length * height);
        try
        {
            rows.AsSpan(0, features.Length * width).Fill(double.NaN);
            for (var r = 0; r < features.Length; r++)
            {
                write(features[r], rows.AsSpan(r * width, width));
            }

            using (booster.Lifetime.Enter())
            {
                booster.Predict(rows, features.Length, scores);
            }

            for (var r = 0; r < features.Length; r++)
            {
                outputs[r] = read(scores.AsSpan(r * height, height));
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rows);
            ArrayPool<double>.Shared.Return(scores);
        }
    }

    public object GetMetadata() => Booster.Metadata;

    public void Dispose() => _booster?.Lifetime.Dispose();
}
