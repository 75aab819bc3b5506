namespace LyftServing.Internal;

/// <summary>The mutable status of one version, kept by its model host under the host's lock.</summary>
internal sealed class VersionRecord(string version, object owner)
{
    public string Version { get; } = version;

    /// <summary>Gets the loaded instance this record describes, so a late update from a retired instance cannot overwrite a newer one's record.</summary>
    public object Owner { get; } = owner;

    public ModelVersionState State { get; set; } = ModelVersionState.Loading;

    public ModelVersionRole Role { get; set; }

    public DateTimeOffset? LoadedAt { get; set; }

    public TimeSpan? LoadDuration { get; set; }

    public string? ContentHash { get; set; }

    public SelfTestReport? SelfTests { get; set; }

    public object? Metadata { get; set; }

    public ModelSignature? Signature { get; set; }

    public ModelError? Error { get; set; }

    public DateTimeOffset? FailedAt => Error?.Time;

    public ModelVersionStatus ToStatus() => new()
    {
        Version = Version,
        State = State,
        Role = Role,
        LoadedAt = LoadedAt,
        LoadDuration = LoadDuration,
        ContentHash = ContentHash,
        SelfTests = SelfTests,
        Metadata = Metadata,
        Signature = Signature,
        Error = Error,
    };
}
