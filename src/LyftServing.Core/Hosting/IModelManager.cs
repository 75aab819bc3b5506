using Microsoft.Extensions.Primitives;

namespace LyftServing;

/// <summary>
/// Runtime control of the served models, for operators: pin, promote, roll back, shadow, load and
/// unload versions, check the store now, and read each model's status.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe singleton. Operations on one model run one at a time (in call order); operations
/// on different models run independently. Every operation keeps the model serving: a version that
/// fails to load or fails its self-tests never replaces the primary.
/// </para>
/// <para>
/// Decisions are durable: pins, promotions, rollbacks and shadow choices are recorded in the
/// model's store (<see cref="IModelStore.TryWriteDecisionAsync"/>) before they take effect, so
/// they survive restarts and every replica reading the same store follows them on its next poll
/// or refresh. A store that cannot record the decision fails the operation, and nothing changes.
/// Naming a version explicitly also accepts it when it failed before or its content changed.
/// </para>
/// </remarks>
public interface IModelManager
{
    /// <summary>Gets the status of every served model, in ordinal name order.</summary>
    /// <returns>A snapshot of the statuses.</returns>
    IReadOnlyList<ModelStatus> GetStatus();

    /// <summary>Gets the status of one model.</summary>
    /// <param name="modelName">The model's name.</param>
    /// <returns>A snapshot of the status.</returns>
    /// <exception cref="ModelNotFoundException">No model has this name.</exception>
    ModelStatus GetStatus(string modelName);

    /// <summary>Gets a token that fires the next time the model's status changes (a version loads, fails, is promoted or retired).</summary>
    /// <param name="modelName">The model's name.</param>
    /// <returns>A change token; get a new one after it fires.</returns>
    /// <exception cref="ModelNotFoundException">No model has this name.</exception>
    IChangeToken GetChangeToken(string modelName);

    /// <summary>Loads a version next to the primary without promoting it, so calls that name it can use it.</summary>
    /// <param name="modelName">The model's name.</param>
    /// <param name="version">The version to load.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The loaded version's status.</returns>
    /// <exception cref="ModelNotFoundException">No model has this name, or its store holds no such version (nothing is loaded or recorded).</exception>
    /// <exception cref="ModelLoadException">The version failed to load or failed required self-tests.</exception>
    Task<ModelVersionStatus> LoadVersionAsync(string modelName, string version, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes a version the primary until a version newer than every version in the store now is
    /// published: loads it if needed, records the decision, swaps atomically, then drains and
    /// disposes the previous primary.
    /// </summary>
    /// <param name="modelName">The model's name.</param>
    /// <param name="version">The version to promote.</param>
    /// <param name="cancellationToken">Cancels the load; once the swap has happened it completes.</param>
    /// <returns>A task that completes when the version is primary (the previous one may still be draining).</returns>
    /// <exception cref="ModelNotFoundException">No model has this name, or its store holds no such version (nothing is loaded or recorded).</exception>
    /// <exception cref="ModelLoadException">The version failed to load or failed its self-tests; the previous primary keeps serving.</exception>
    /// <exception cref="ModelStoreException">The store could not record the decision; nothing changed.</exception>
    Task PromoteAsync(string modelName, string version, CancellationToken cancellationToken = default);

    /// <summary>Makes a version the primary and keeps it, whatever is published, until <see cref="UnpinAsync"/>.</summary>
    /// <param name="modelName">The model's name.</param>
    /// <param name="version">The version to pin.</param>
    /// <param name="cancellationToken">Cancels the load; once the swap has happened it completes.</param>
    /// <returns>A task that completes when the version is primary.</returns>
    /// <exception cref="ModelNotFoundException">No model has this name, or its store holds no such version (nothing is loaded or recorded).</exception>
    /// <exception cref="ModelLoadException">The version failed to load or failed its self-tests; the previous primary keeps serving.</exception>
    /// <exception cref="ModelStoreException">The store could not record the decision; nothing changed.</exception>
    Task PinAsync(string modelName, string version, CancellationToken cancellationToken = default);

    /// <summary>Clears the operator's choice of primary (a pin, promotion or rollback): the configured version policy chooses again.</summary>
    /// <param name="modelName">The model's name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the policy's version serves (or failed to load; the current one then keeps serving).</returns>
    /// <exception cref="ModelNotFoundException">No model has this name.</exception>
    /// <exception cref="ModelStoreException">The store could not record the decision; nothing changed.</exception>
    Task UnpinAsync(string modelName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Promotes the version that was primary before the current one in this process (after a
    /// restart: the newest version older than the current one), recorded like <see cref="PromoteAsync"/>.
    /// </summary>
    /// <param name="modelName">The model's name.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The version that is primary now.</returns>
    /// <exception cref="ModelNotFoundException">No model has this name.</exception>
    /// <exception cref="ModelConflictException">No earlier primary version is known (<see cref="ModelConflict.NothingToRollBackTo"/>).</exception>
    /// <exception cref="ModelLoadException">The earlier version failed to load; the current primary keeps serving.</exception>
    /// <exception cref="ModelStoreException">The store could not record the decision; nothing changed.</exception>
    Task<string> RollBackAsync(string modelName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes a version a shadow: loads it if needed; from then on a sample of the primary's calls is
    /// replayed to it after the primary answered, and its outputs are compared and recorded (see
    /// <see cref="ModelStatus.Shadows"/>). Promote it with <see cref="PromoteAsync"/>; remove it
    /// with <see cref="UnloadVersionAsync"/>.
    /// </summary>
    /// <param name="modelName">The model's name.</param>
    /// <param name="version">The version to shadow the primary with; it is no longer promoted automatically.</param>
    /// <param name="sampleRate">The share of the primary's calls it sees, from 0 to 1; <see langword="null"/> uses the configured rate.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The shadow version's status.</returns>
    /// <exception cref="ModelNotFoundException">No model has this name, or its store holds no such version (nothing is loaded or recorded).</exception>
    /// <exception cref="ModelConflictException">The version is the primary (<see cref="ModelConflict.VersionIsPrimary"/>).</exception>
    /// <exception cref="ModelLoadException">The version failed to load or failed its self-tests.</exception>
    /// <exception cref="ModelStoreException">The store could not record the decision; nothing changed.</exception>
    Task<ModelVersionStatus> SetShadowAsync(string modelName, string version, double? sampleRate = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Retires a loaded version that is not the primary (a shadow, or one loaded side by side):
    /// drains and disposes it. A shadow is recorded as switched off, so no replica brings it back.
    /// </summary>
    /// <param name="modelName">The model's name.</param>
    /// <param name="version">The version to unload.</param>
    /// <param name="cancellationToken">Cancels the wait for the drain.</param>
    /// <returns>A task that completes when the version is disposed.</returns>
    /// <exception cref="ModelNotFoundException">No model has this name, or the version is not loaded.</exception>
    /// <exception cref="ModelConflictException">The version is the primary; promote another version first (<see cref="ModelConflict.VersionIsPrimary"/>).</exception>
    Task UnloadVersionAsync(string modelName, string version, CancellationToken cancellationToken = default);

    /// <summary>Lists the model's versions and reads its decision in its store now, and applies its version policy, as a poll would.</summary>
    /// <param name="modelName">The model's name.</param>
    /// <param name="cancellationToken">Cancels the refresh.</param>
    /// <returns>A task that completes when any resulting promotion has completed or failed.</returns>
    /// <exception cref="ModelNotFoundException">No model has this name.</exception>
    Task RefreshAsync(string modelName, CancellationToken cancellationToken = default);
}
