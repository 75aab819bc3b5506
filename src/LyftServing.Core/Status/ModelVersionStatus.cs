namespace LyftServing;

/// <summary>A point-in-time view of one version of a model.</summary>
public sealed class ModelVersionStatus
{
    /// <summary>Gets the version name.</summary>
    public required string Version { get; init; }

    /// <summary>Gets where the version is in its life.</summary>
    public required ModelVersionState State { get; init; }

    /// <summary>Gets whether the version is the primary, a shadow, or neither.</summary>
    public ModelVersionRole Role { get; init; }

    /// <summary>Gets when the version finished loading.</summary>
    public DateTimeOffset? LoadedAt { get; init; }

    /// <summary>Gets how long loading, warm-up and self-tests took.</summary>
    public TimeSpan? LoadDuration { get; init; }

    /// <summary>Gets the artifact's content hash (see <see cref="ModelArtifact.ContentHash"/>).</summary>
    public string? ContentHash { get; init; }

    /// <summary>Gets the results of the version's last self-test run.</summary>
    public SelfTestReport? SelfTests { get; init; }

    /// <summary>Gets the metadata the model code reports (see <see cref="IModelMetadataSource"/>).</summary>
    public object? Metadata { get; init; }

    /// <summary>Gets what the version takes and returns, if its model code declares it (see <see cref="IModelSignatureSource"/>; tensor runtimes do).</summary>
    public ModelSignature? Signature { get; init; }

    /// <summary>
    /// Gets why the version failed, when <see cref="State"/> is <see cref="ModelVersionState.Failed"/>;
    /// or, while it is <see cref="ModelVersionState.Draining"/>, that it is still in use after the
    /// drain timeout (it is disposed only when its calls end).
    /// </summary>
    public ModelError? Error { get; init; }

    /// <summary>Gets the number of calls running on this version now.</summary>
    public int InFlight { get; init; }
}
