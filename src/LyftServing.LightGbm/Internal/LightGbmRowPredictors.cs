namespace LyftServing.LightGbm.Internal;

/// <summary>
/// The single-row predictors of one booster, one per calling thread, and the guard that keeps them
/// (and so the booster they refer to) alive while a call runs: a call enters its thread's
/// predictor and exits it; <see cref="Dispose"/> waits for every running call to exit before it
/// frees them.
/// </summary>
/// <remarks>
/// <para>
/// The single-row call of a small model costs less than half a microsecond, so its guard must cost
/// a few nanoseconds: entering and exiting are plain writes to the calling thread's own predictor,
/// no interlocked operation and no shared cache line. Disposing pays instead: it sets the disposed
/// flag, then a process-wide memory barrier (<see cref="Interlocked.MemoryBarrierProcessWide"/>),
/// so that a call either sees the flag when it enters, or is seen in use by the disposer (the
/// asymmetric form of a Dekker handshake).
/// </para>
/// <para>
/// A predictor of a thread that has ended is handed to the next new thread, so the count stays
/// within the number of threads alive at once that call the model. A call made from inside
/// another call on the same thread (a feature writer that calls the model again) gets a predictor
/// of its own, freed when it exits.
/// </para>
/// </remarks>
internal sealed class LightGbmRowPredictors : IDisposable
{
    private readonly Func<LightGbmRowPredictor> _create;
    private readonly string _description;
    private readonly ThreadLocal<LightGbmRowPredictor> _perThread;
    private readonly Lock _lock = new();
    private readonly List<LightGbmRowPredictor> _all = [];
    private volatile bool _disposed;

    /// <param name="create">Creates a predictor (a fast configuration of the booster and its buffers).</param>
    /// <param name="description">What the error of a call after disposal names, such as <c>Model 'fraud' version '7'</c>.</param>
    public LightGbmRowPredictors(Func<LightGbmRowPredictor> create, string description)
    {
        _create = create;
        _description = description;
        _perThread = new ThreadLocal<LightGbmRowPredictor>(() => Add(inUse: false, reuse: true));
    }

    /// <summary>Gets how many predictors exist (for tests).</summary>
    internal int Count
    {
        get
        {
            lock (_lock)
            {
                return _all.Count;
            }
        }
    }

    /// <summary>Enters the calling thread's predictor; the caller must <see cref="Exit"/> it once, on the same thread.</summary>
    /// <exception cref="ObjectDisposedException">The booster has been unloaded.</exception>
    public LightGbmRowPredictor Enter()
    {
        if (_disposed)
        {
            throw Unloaded();
        }

        LightGbmRowPredictor predictor;
        try
        {
            predictor = _perThread.Value!;
        }
        catch (ObjectDisposedException)
        {
            // Dispose ran to its end after the check above: the thread-local is gone too.
            throw Unloaded();
        }

        if (predictor.InUse)
        {
            // A nested call on this thread: a predictor of its own.
            return Add(inUse: true, reuse: false);
        }

        predictor.InUse = true;

        // Read after the write above; Dispose's process-wide barrier orders its flag against it.
        if (_disposed)
        {
            predictor.InUse = false;
            throw Unloaded();
        }

        return predictor;
    }

    /// <summary>Exits a predictor entered by <see cref="Enter"/>.</summary>
    public void Exit(LightGbmRowPredictor predictor)
    {
        if (predictor.Owner is not null)
        {
            predictor.InUse = false;
            return;
        }

        // A nested call's own predictor: freed here unless Dispose has taken it (then Dispose frees it once it is not in use).
        bool removed;
        lock (_lock)
        {
            removed = _all.Remove(predictor);
        }

        if (removed)
        {
            predictor.Dispose();
        }
        else
        {
            predictor.InUse = false;
        }
    }

    /// <summary>Stops new calls, waits for the running ones to exit, and frees every predictor. Idempotent.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        // From here on, a call that marked its predictor in use before it could see the flag is seen in use below.
        Interlocked.MemoryBarrierProcessWide();
        LightGbmRowPredictor[] all;
        lock (_lock)
        {
            all = [.. _all];
            _all.Clear();
        }

        foreach (var predictor in all)
        {
            // The host disposes a version only after its calls have drained, so this does not wait there.
            var wait = default(SpinWait);
            while (predictor.InUse)
            {
                wait.SpinOnce();
            }

            predictor.Dispose();
        }

        _perThread.Dispose();
    }

    private LightGbmRowPredictor Add(bool inUse, bool reuse)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                throw Unloaded();
            }

            var thread = reuse ? Thread.CurrentThread : null;
            if (reuse)
            {
                // The predictor of a thread that has ended is free: its thread cannot enter it again.
                foreach (var predictor in _all)
                {
                    if (predictor.Owner is { IsAlive: false })
                    {
                        predictor.Owner = thread;
                        return predictor;
                    }
                }
            }

            var created = _create();
            created.Owner = thread;
            created.InUse = inUse;
            _all.Add(created);
            return created;
        }
    }

    private ObjectDisposedException Unloaded() => new(nameof(LightGbmRowPredictors), $"{_description} has been unloaded.");
}
