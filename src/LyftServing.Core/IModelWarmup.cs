namespace LyftServing;

/// <summary>
/// An optional capability of model code: warms a freshly loaded version up (JIT, caches, lazy
/// framework initialisation) before it runs self-tests and serves its first request.
/// </summary>
public interface IModelWarmup
{
    /// <summary>Warms the loaded version up. Called once, after <c>LoadAsync</c> and before self-tests.</summary>
    /// <param name="cancellationToken">Cancelled when the load is abandoned.</param>
    /// <returns>A task that completes when the version is warm.</returns>
    ValueTask WarmUpAsync(CancellationToken cancellationToken);
}
