namespace LyftServing.Internal;

/// <summary>
/// A loaded version: its model instance, its status record and the count of calls running on it.
/// Retiring it stops new calls from starting on it; it may be disposed only once the count has
/// drained to zero.
/// </summary>
/// <remarks>
/// <para>
/// A call counts itself in one of two ways, both synchronous (it exits on the thread that entered).
/// The usual way costs no interlocked operation: the thread writes the version into its own mark
/// (<see cref="CallMarks"/>) and then reads the retired flag; retiring sets the flag, then runs a
/// process-wide memory barrier (<see cref="Interlocked.MemoryBarrierProcessWide"/>) and scans the
/// marks, so either the call sees the flag and backs off, or the retirer sees the mark and waits for
/// it (the asymmetric form of a Dekker handshake: the rare side pays). A call made while its
/// thread's mark is taken (a model that calls another model) counts itself in the other way: one
/// integer holds the count (low 31 bits) and the retired flag (the sign bit), so entering is one
/// interlocked increment, and a caller that increments after the flag was set backs off.
/// </para>
/// <para>
/// Whoever leaves last after the flag is set completes <see cref="Drained"/>: a counted call when
/// its decrement leaves the bare flag and no mark holds the version, a marked call when, after
/// clearing its mark and a full fence, it finds the count empty and no other mark.
/// </para>
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

    /// <summary>Gets the number of calls running on this version.</summary>
    public int InFlight => (Volatile.Read(ref _state) & int.MaxValue) + CallMarks.Count(this);

    /// <summary>Gets a task that completes when the version is retired and no call runs on it.</summary>
    public Task Drained => _drained.Task;

    /// <summary>Counts a synchronous call in, unless the version has been retired.</summary>
    /// <param name="mark">Receives what <see cref="Exit"/> must be given, on this same thread.</param>
    /// <returns>Whether the call may run; if so, it must call <see cref="Exit"/> once.</returns>
    public bool TryEnter(out CallMark? mark)
    {
        var current = CallMarks.Current;
        if (current.Version is null)
        {
            current.Version = this;

            // Read after the mark's write; Retire's process-wide barrier orders its flag against it.
            if (Volatile.Read(ref _state) >= 0)
            {
                mark = current;
                return true;
            }

            mark = null;
            ExitMarked(current);
            return false;
        }

        // The thread's mark is in use by an outer call: count this one.
        mark = null;
        if (Interlocked.Increment(ref _state) < 0)
        {
            Release();
            return false;
        }

        return true;
    }

    /// <summary>Counts a call out.</summary>
    /// <param name="mark">What <see cref="TryEnter"/> gave.</param>
    public void Exit(CallMark? mark)
    {
        if (mark is null)
        {
            Release();
        }
        else
        {
            ExitMarked(mark);
        }
    }

    /// <summary>Stops new calls; <see cref="Drained"/> completes when the running ones have left.</summary>
    public void Retire()
    {
        Interlocked.Or(ref _state, RetiredFlag);
        Interlocked.MemoryBarrierProcessWide();
        CompleteIfDrained();
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _state) == RetiredFlag)
        {
            CompleteIfDrained();
        }
    }

    private void ExitMarked(CallMark mark)
    {
        mark.Version = null;
        if (Volatile.Read(ref _state) < 0)
        {
            // Retired while this call ran: the retirer, or another call leaving, may have seen this
            // mark still set; after a full fence, whoever leaves last sees everyone else gone.
            Interlocked.MemoryBarrier();
            CompleteIfDrained();
        }
    }

    private void CompleteIfDrained()
    {
        if (Volatile.Read(ref _state) == RetiredFlag && CallMarks.Count(this) == 0)
        {
            _drained.TrySetResult();
        }
    }
}
