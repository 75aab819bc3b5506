namespace LyftServing.Internal;

/// <summary>
/// A loaded version: its model instance and the count of calls running on it. Retiring it stops
/// new calls from starting on it; it is disposed once the count drains to zero (or the drain
/// times out).
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

    public LoadedVersion(string version, IModel<TFeatures, TOutput> model, object recordOwner)
    {
        RecordOwner = recordOwner;
        Version = version;
        Model = model;
        Batch = model as IBatchModel<TFeatures, TOutput>;
    }

    /// <summary>Gets the token that identifies this load's status record.</summary>
    public object RecordOwner { get; }

    public string Version { get; }

    public IModel<TFeatures, TOutput> Model { get; }

    public IBatchModel<TFeatures, TOutput>? Batch { get; }

    /// <summary>Gets or sets the comparison with the primary while this version is a shadow.</summary>
    public ShadowStats? ShadowStats { get; set; }

    public int InFlight => Volatile.Read(ref _state) & int.MaxValue;

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

    /// <summary>Stops new calls and waits for the running ones; <see langword="false"/> when the timeout passed first.</summary>
    public async Task<bool> RetireAsync(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var before = Interlocked.Or(ref _state, RetiredFlag);
        if ((before & int.MaxValue) == 0)
        {
            return true;
        }

        try
        {
            await _drained.Task.WaitAsync(timeout, timeProvider, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
