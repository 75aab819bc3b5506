namespace LyftServing.Internal;

/// <summary>
/// The status of one load of a version, from loading until it is retired or fails. Each load has
/// its own record (a version loading again while its previous load drains shows twice); only the
/// model's lifecycle changes it, under its <see cref="StatusBook"/>'s lock.
/// </summary>
internal sealed class VersionRecord(string version)
{
    public string Version { get; } = version;

    public ModelVersionState State { get; set; } = ModelVersionState.Loading;

    public ModelVersionRole Role { get; set; }

    public DateTimeOffset? LoadedAt { get; set; }

    public TimeSpan? LoadDuration { get; set; }

    public string? ContentHash { get; set; }

    public SelfTestReport? SelfTests { get; set; }

    public object? Metadata { get; set; }

    public ModelSignature? Signature { get; set; }

    public ModelError? Error { get; set; }

    /// <summary>Gets or sets how to read the calls in flight on the loaded instance, once there is one.</summary>
    public Func<int>? InFlight { get; set; }

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
        InFlight = InFlight?.Invoke() ?? 0,
    };
}
