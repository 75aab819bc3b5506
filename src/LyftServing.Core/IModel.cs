namespace LyftServing;

/// <summary>
/// The model code of one model: loads a version's artifact and predicts from features.
/// This is LyftLearn Serving's <c>load</c>/<c>predict</c> contract.
/// </summary>
/// <typeparam name="TFeatures">The features a caller passes in.</typeparam>
/// <typeparam name="TOutput">The prediction returned to the caller.</typeparam>
/// <remarks>
/// <para>
/// The host creates one instance per loaded version through dependency injection, so the
/// constructor can take <c>ILogger&lt;T&gt;</c>, options and other services. It calls
/// <see cref="LoadAsync"/> exactly once, before any other member. When the version is retired
/// (replaced, unloaded or the host stops), the host waits for in-flight calls to drain and then
/// disposes the instance if it implements <see cref="IAsyncDisposable"/> or <see cref="IDisposable"/>:
/// never while a call uses it, however long that takes (past the drain timeout the host warns).
/// </para>
/// <para>
/// <see cref="Predict"/> is the hot path: it is called concurrently from many threads and must be
/// thread-safe. Optional capabilities are extra interfaces the host detects:
/// <see cref="IBatchModel{TFeatures, TOutput}"/>, <see cref="IModelTestData{TFeatures, TOutput}"/>,
/// <see cref="IModelWarmup"/> and <see cref="IModelMetadataSource"/>.
/// </para>
/// </remarks>
public interface IModel<TFeatures, TOutput>
{
    /// <summary>Loads the version's artifact. Called once per version, before any prediction.</summary>
    /// <param name="artifact">The files and manifest of the version being loaded.</param>
    /// <param name="cancellationToken">
    /// Cancelled when the load is abandoned (for example at shutdown): pass it to every I/O call. A
    /// load that ignores it does not hold up shutdown, but its instance lingers until the load
    /// returns and is then disposed without ever serving.
    /// </param>
    /// <returns>A task that completes when the version can predict.</returns>
    ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken);

    /// <summary>Predicts an output from one set of features.</summary>
    /// <param name="features">The features of one request.</param>
    /// <returns>The prediction.</returns>
    /// <remarks>Called concurrently; must be thread-safe. An exception propagates to the caller of this call only.</remarks>
    TOutput Predict(TFeatures features);
}
