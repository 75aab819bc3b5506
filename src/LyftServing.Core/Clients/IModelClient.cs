namespace LyftServing;

/// <summary>
/// Calls a model with typed features. Resolve it as a keyed service by model name
/// (<c>[FromKeyedServices("driver_eta")] IModelClient&lt;EtaFeatures, double&gt; eta</c>) or from
/// <see cref="IModelProvider"/>.
/// </summary>
/// <typeparam name="TFeatures">The model's features type.</typeparam>
/// <typeparam name="TOutput">The model's output type.</typeparam>
/// <remarks>
/// Thread-safe; a singleton that always calls the model's current primary version, also across
/// hot swaps. Calls complete synchronously unless batching or concurrency limits make them wait,
/// and the host allocates nothing per call.
/// </remarks>
public interface IModelClient<TFeatures, TOutput>
{
    /// <summary>Gets the model's name.</summary>
    string ModelName { get; }

    /// <summary>Predicts with the model's primary version.</summary>
    /// <param name="features">The features.</param>
    /// <param name="cancellationToken">
    /// Cancels the call while it waits (for a concurrency slot or a batch). A prediction already
    /// running completes: a batched row runs on while its caller is released; a <c>Predict</c> on the
    /// caller's thread returns its answer.
    /// </param>
    /// <returns>The primary version's output.</returns>
    /// <exception cref="ModelNotReadyException">The model has no primary version (none loaded yet, or the host is stopping).</exception>
    /// <exception cref="ModelOverloadedException">The model's concurrency limit and wait queue, or its batch queue, are full.</exception>
    /// <exception cref="ModelTimeoutException">The call took longer than the model's timeout.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <remarks>Exceptions thrown by the model code propagate unchanged.</remarks>
    ValueTask<TOutput> PredictAsync(TFeatures features, CancellationToken cancellationToken = default);
}
