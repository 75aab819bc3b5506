namespace LyftServing.Internal;

/// <summary>
/// A model's concurrency limit with a bounded FIFO wait queue. A permit taken by
/// <see cref="TryEnter"/> or <see cref="EnterAsync"/> is held by the admitted work and given back by
/// whoever ends that work (<see cref="Exit"/>), not by the caller, whose wait may end earlier.
/// </summary>
/// <remarks>
/// Hand-written rather than <c>System.Threading.RateLimiting.ConcurrencyLimiter</c> for three
/// reasons: an uncontended enter and exit are two interlocked operations with no lease object per
/// call, the limits can change while permits are out (live configuration) without admitting twice
/// the limit, and a waiter that gives up leaves the queue at once.
/// <para>
/// Fast path: <see cref="TryEnter"/> takes a permit by compare-and-swap when one is free and nobody
/// waits (so it never jumps the queue). Slow path: waiters queue under a lock; whoever frees a
/// permit or joins the queue dispatches. Both sides change a counter with a full fence and then read
/// the other's counter, so a permit freed while a waiter joins is never missed.
/// </para>
/// </remarks>
internal sealed class ConcurrencyGate
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _queue = new();
    private int _running;
    private int _queued;
    private int _limit;
    private int _queueLimit;

    public ConcurrencyGate(int limit, int queueLimit) => SetLimits(limit, queueLimit);

    public int Running => Volatile.Read(ref _running);

    /// <summary>Changes the limits; permits already out stay valid, and waiters get freed permits first.</summary>
    public void SetLimits(int limit, int queueLimit)
    {
        lock (_lock)
        {
            Volatile.Write(ref _limit, limit);
            _queueLimit = queueLimit;
        }

        Dispatch();
    }

    /// <summary>Takes a permit if one is free and no call waits for one.</summary>
    public bool TryEnter()
    {
        while (true)
        {
            var running = Volatile.Read(ref _running);
            if (running >= Volatile.Read(ref _limit) || Volatile.Read(ref _queued) > 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _running, running + 1, running) == running)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// Waits for a permit. Returns <see langword="null"/> when the queue is full (the caller is
    /// overloaded); the task completes when the permit is granted, or is cancelled (and the call
    /// leaves the queue) when <paramref name="cancellationToken"/> fires first.
    /// </summary>
    public Task? EnterAsync(CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_queue.Count >= _queueLimit)
            {
                return TryEnter() ? Task.CompletedTask : null;
            }

            waiter = new Waiter(this);
            waiter.Node = _queue.AddLast(waiter);
            Interlocked.Increment(ref _queued);
        }

        waiter.Watch(cancellationToken);
        Dispatch();
        return waiter.Task;
    }

    /// <summary>Gives back a permit; the oldest waiter, if any, gets it.</summary>
    public void Exit()
    {
        Interlocked.Decrement(ref _running);
        if (Volatile.Read(ref _queued) > 0)
        {
            Dispatch();
        }
    }

    private void Dispatch()
    {
        while (true)
        {
            Waiter? granted = null;
            lock (_lock)
            {
                while (_queue.First is { } first)
                {
                    var running = Volatile.Read(ref _running);
                    if (running >= _limit)
                    {
                        return;
                    }

                    if (Interlocked.CompareExchange(ref _running, running + 1, running) != running)
                    {
                        continue;
                    }

                    _queue.RemoveFirst();
                    first.Value.Node = null;
                    Interlocked.Decrement(ref _queued);
                    granted = first.Value;
                    break;
                }
            }

            if (granted is null)
            {
                return;
            }

            // Outside the lock; continuations run asynchronously, never inline here.
            if (!granted.TryGrant())
            {
                Interlocked.Decrement(ref _running); // cancelled at the same moment: the permit goes to the next
            }
        }
    }

    private void Leave(Waiter waiter)
    {
        lock (_lock)
        {
            if (waiter.Node is { } node)
            {
                _queue.Remove(node);
                waiter.Node = null;
                Interlocked.Decrement(ref _queued);
            }
        }
    }

    private sealed class Waiter(ConcurrencyGate gate) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        private CancellationTokenRegistration _registration;

        public LinkedListNode<Waiter>? Node { get; set; }

        public void Watch(CancellationToken cancellationToken)
        {
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(token), this);
            }
        }

        public bool TryGrant()
        {
            if (!TrySetResult())
            {
                return false;
            }

            _registration.Dispose();
            return true;
        }

        private void Cancel(CancellationToken token)
        {
            if (TrySetCanceled(token))
            {
                gate.Leave(this);
            }
        }
    }
}
