namespace LyftServing;

/// <summary>
/// An operator's durable decision about a model: which version to serve (a pin, a promotion or a
/// rollback) and which versions to shadow. Kept in the model store (<see cref="IModelStore.ReadDecisionAsync"/>),
/// so it survives restarts and every replica reading the store follows it.
/// </summary>
/// <remarks>
/// Written by <see cref="IModelManager"/>'s operations; read on every poll and refresh. A decision
/// wins over the configured version policy (<see cref="ModelOptions.Version"/>, newest version)
/// until it is cleared (<see cref="IModelManager.UnpinAsync"/>) or, for a promotion or rollback,
/// until a version newer than <see cref="NewestWhenDecided"/> is published. Immutable.
/// </remarks>
public sealed class ModelDecision
{
    internal ModelDecision()
    {
    }

    /// <summary>Copies a decision, for a change (<c>new ModelDecision(d) { ... }</c>).</summary>
    internal ModelDecision(ModelDecision other)
    {
        PrimaryVersion = other.PrimaryVersion;
        Pinned = other.Pinned;
        NewestWhenDecided = other.NewestWhenDecided;
        ContentHash = other.ContentHash;
        Shadows = other.Shadows;
        Reason = other.Reason;
        DecidedAt = other.DecidedAt;
        DecidedBy = other.DecidedBy;
    }

    /// <summary>Gets the decision that decides nothing: the configured policy applies.</summary>
    public static ModelDecision None { get; } = new();

    /// <summary>Gets the version the operator chose to serve, or <see langword="null"/> for none.</summary>
    public string? PrimaryVersion { get; internal init; }

    /// <summary>
    /// Gets whether <see cref="PrimaryVersion"/> is pinned: served whatever is published, until
    /// unpinned. When <see langword="false"/> (a promotion or rollback), it is served until a version
    /// newer than <see cref="NewestWhenDecided"/> is published.
    /// </summary>
    public bool Pinned { get; internal init; }

    /// <summary>Gets the newest version in the store when the decision was made.</summary>
    public string? NewestWhenDecided { get; internal init; }

    /// <summary>Gets the content hash of <see cref="PrimaryVersion"/> when it was chosen; a replica that finds other content refuses it (versions are immutable).</summary>
    public string? ContentHash { get; internal init; }

    /// <summary>Gets the versions the operator set as shadows, with their sample rates; a rate of 0 switches off a shadow that configuration sets.</summary>
    public IReadOnlyDictionary<string, double> Shadows { get; internal init; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>Gets what the last change was: <c>pin</c>, <c>unpin</c>, <c>promote</c>, <c>rollback</c>, <c>shadow</c>, <c>unshadow</c> or <c>initial</c>.</summary>
    public string? Reason { get; internal init; }

    /// <summary>Gets when the last change was made.</summary>
    public DateTimeOffset? DecidedAt { get; internal init; }

    /// <summary>Gets the machine that made the last change.</summary>
    public string? DecidedBy { get; internal init; }
}
