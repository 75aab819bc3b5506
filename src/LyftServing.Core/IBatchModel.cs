namespace LyftServing;

/// <summary>
/// An optional capability of model code: predicts many rows in one call (one framework run for
/// the whole batch). Used by dynamic batching and by callers that already hold a batch.
/// </summary>
/// <typeparam name="TFeatures">The features of one row.</typeparam>
/// <typeparam name="TOutput">The prediction for one row.</typeparam>
/// <remarks>Called concurrently; must be thread-safe, like <see cref="IModel{TFeatures, TOutput}.Predict"/>.</remarks>
public interface IBatchModel<TFeatures, TOutput> : IModel<TFeatures, TOutput>
{
    /// <summary>Predicts one output per row of <paramref name="features"/>.</summary>
    /// <param name="features">The rows to predict.</param>
    /// <param name="outputs">Receives the prediction of row <c>i</c> at index <c>i</c>; as long as <paramref name="features"/>.</param>
    void PredictBatch(ReadOnlySpan<TFeatures> features, Span<TOutput> outputs);
}
