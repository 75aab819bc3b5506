namespace LyftServing;

/// <summary>A point-in-time view of one model: its versions, which one is primary, and its last error.</summary>
public sealed class ModelStatus
{
    /// <summary>Gets the model's name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the name of the runtime that serves the model, when it was declared with one.</summary>
    public string? Runtime { get; init; }

    /// <summary>Gets whether the service needs this model to be ready (see <c>ModelOptions.Required</c>).</summary>
    public required bool Required { get; init; }

    /// <summary>Gets the primary version, or <see langword="null"/> when none serves.</summary>
    public string? PrimaryVersion { get; init; }

    /// <summary>Gets the versions that are loading, loaded, draining or failed, newest first.</summary>
    public required IReadOnlyList<ModelVersionStatus> Versions { get; init; }

    /// <summary>Gets how each shadow version compares with the primary so far.</summary>
    public IReadOnlyList<ShadowStatus> Shadows { get; init; } = [];

    /// <summary>Gets the most recent error of the model (a failed load, self-test or store listing), if any.</summary>
    public ModelError? LastError { get; init; }

    /// <summary>Gets the operator's decision recorded in the model's store (pin, promotion, rollback, shadows), or <see langword="null"/> when there is none.</summary>
    public ModelDecision? Decision { get; init; }

    /// <summary>
    /// Gets since when the model's store cannot be read (its last polls failed), or
    /// <see langword="null"/> while it can. While it is set the model keeps serving what it has,
    /// but new versions and operators' decisions are not seen: the model is stale. Readiness does
    /// not change; the metric <c>lyftserving.model.store.stale</c> says the same.
    /// </summary>
    public DateTimeOffset? StoreUnreachableSince { get; init; }
}
