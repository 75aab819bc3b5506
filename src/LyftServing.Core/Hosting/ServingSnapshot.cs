namespace LyftServing.Internal;

/// <summary>
/// What serves a model now: the primary, every loaded version, the shadows among them and the call
/// pipeline. Immutable: the model's lifecycle publishes a new one (one reference write) and the hot
/// path reads whichever is current (one volatile read).
/// </summary>
internal sealed class ServingSnapshot<TFeatures, TOutput>
{
    public static readonly ServingSnapshot<TFeatures, TOutput> Empty = new(null, [], [], null, stopped: false);

    public static readonly ServingSnapshot<TFeatures, TOutput> Stopped = new(null, [], [], null, stopped: true);

    public ServingSnapshot(
        LoadedVersion<TFeatures, TOutput>? primary,
        LoadedVersion<TFeatures, TOutput>[] versions,
        ShadowTarget<TFeatures, TOutput>[] shadows,
        CallPipeline<TFeatures, TOutput>? pipeline,
        bool stopped = false)
    {
        Primary = primary;
        Versions = versions;
        Shadows = shadows;
        Pipeline = pipeline;
        IsStopped = stopped;
    }

    public LoadedVersion<TFeatures, TOutput>? Primary { get; }

    /// <summary>Gets every loaded version: the primary, the shadows and those loaded side by side.</summary>
    public LoadedVersion<TFeatures, TOutput>[] Versions { get; }

    public ShadowTarget<TFeatures, TOutput>[] Shadows { get; }

    /// <summary>Gets the stages calls go through, or <see langword="null"/> for the bare fast path.</summary>
    public CallPipeline<TFeatures, TOutput>? Pipeline { get; }

    public bool IsStopped { get; }

    public LoadedVersion<TFeatures, TOutput>? Find(string version)
    {
        foreach (var loaded in Versions)
        {
            if (loaded.Version == version)
            {
                return loaded;
            }
        }

        return null;
    }

    public bool IsShadow(LoadedVersion<TFeatures, TOutput> version) => Array.Exists(Shadows, s => s.Version == version);

    public ServingSnapshot<TFeatures, TOutput> With(
        LoadedVersion<TFeatures, TOutput>? primary,
        LoadedVersion<TFeatures, TOutput>[] versions,
        ShadowTarget<TFeatures, TOutput>[] shadows) => new(primary, versions, shadows, Pipeline);

    public ServingSnapshot<TFeatures, TOutput> With(CallPipeline<TFeatures, TOutput>? pipeline) => new(Primary, Versions, Shadows, pipeline);
}

/// <summary>A shadow version and the share of the primary's calls it sees.</summary>
internal readonly record struct ShadowTarget<TFeatures, TOutput>(LoadedVersion<TFeatures, TOutput> Version, double SampleRate);

/// <summary>The current snapshot of one model, shared by its lifecycle (the only writer), its client and its stages.</summary>
internal sealed class ServingCell<TFeatures, TOutput>
{
    private ServingSnapshot<TFeatures, TOutput> _current = ServingSnapshot<TFeatures, TOutput>.Empty;

    public ServingSnapshot<TFeatures, TOutput> Current => Volatile.Read(ref _current);

    public void Publish(ServingSnapshot<TFeatures, TOutput> next) => Volatile.Write(ref _current, next);
}
