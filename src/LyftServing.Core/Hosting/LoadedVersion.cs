namespace LyftServing.Internal;

/// <summary>
/// A loaded version: its model instance, its status record and the count of calls running on it.
/// Retiring it stops new calls from starting on it; it may be disposed only once the count has
/// drained to zero.
/// </summary>
/// <remarks>
/// One integer holds both the in-flight count (low 31 bits) and the retired flag (the sign bit),
/// so acquiring is a single interlocked increment: a caller that increments after the flag was set
/// sees a negative result, backs off and never touches the model.
/// </remarks>
internal sealed class LoadedVersion<TFeatures, TOutput>
{
    private const int RetiredFlag = int.MinValue;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;

    public LoadedVersion(IModel<TFeatures, TOutput> model, VersionRecord record, string contentHash)
    {
        Model = model;
        Record = record;
        ContentHash = contentHash;
        Batch = model as IBatchModel<TFeatures, TOutput>;
    }

    public string Version => Record.Version;

    public IModel<TFeatures, TOutput> Model { get; }

    public IBatchModel<TFeatures, TOutput>? Batch { get; }

    /// <summary>Gets the status record of this load; only the model's lifecycle changes it.</summary>
    public VersionRecord Record { get; }

    public string ContentHash { get; }

    /// <summary>Gets or sets the comparison with the primary while this version is a shadow.</summary>
    public ShadowStats? ShadowStats { get; set; }

    public int InFlight => Volatile.Read(ref _state) & int.MaxValue;

    /// <summary>Gets a task that completes when the version is retired and no call runs on it.</summary>
    public Task Drained => _drained.Task;

    /// <summary>Counts a call in, unless the version has been retired.</summary>
    public bool TryAcquire()
    {
        if (Interlocked.Increment(ref _state) < 0)
        {
            Release();
            return false;
        }

        return true;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _state) == RetiredFlag)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Stops new calls; <see cref="Drained"/> completes when the running ones have left.</summary>
    public void Retire()
    {
        var before = Interlocked.Or(ref _state, RetiredFlag);
        if (before == 0)
        {
            _drained.TrySetResult();
        }
    }
}
