using System.Threading.Tasks.Sources;

namespace LyftServing.Internal;

/// <summary>
/// Coalesces concurrent calls into batches of up to <see cref="BatchingOptions.MaxBatchSize"/>
/// rows, waiting at most <see cref="BatchingOptions.MaxDelay"/> after a batch's first row was
/// queued, and runs up to <see cref="BatchingOptions.MaxConcurrentBatches"/> batches at once, each
/// on a thread of its own. One thread at a time fills a batch; calls that arrive meanwhile form the
/// next one. The queue is bounded (<see cref="BatchingOptions.QueueLimit"/>), and a row whose caller
/// gives up leaves it at once.
/// </summary>
internal sealed class DynamicBatcher<TFeatures, TOutput>
{
    // A plain object, not System.Threading.Lock: the loop waits on it with Monitor.Wait.
    private readonly object _lock = new();
    private readonly SlotQueue _queue = new();
    private readonly int _maxBatchSize;
    private readonly int _queueLimit;
    private readonly TimeSpan _maxDelay;
    private readonly TimeProvider _timeProvider;
    private readonly BatchExecutor _execute;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;
    private bool _stopping;
    private bool _filling;

    /// <summary>Runs one batch on the primary: fills outputs and per-row errors, returns the version that ran it.</summary>
    public delegate string BatchExecutor(ReadOnlySpan<TFeatures> features, Span<TOutput> outputs, Span<Exception?> errors);

    public DynamicBatcher(string modelName, BatchingOptions options, TimeProvider timeProvider, BatchExecutor execute)
    {
        Options = options;
        _maxBatchSize = options.MaxBatchSize;
        _queueLimit = options.QueueLimit ?? 16 * options.MaxBatchSize;
        _maxDelay = options.MaxDelay;
        _timeProvider = timeProvider;
        _execute = execute;

        // Threads of their own: the loop waits with Monitor timeouts, which are precise to well
        // under a millisecond where timer callbacks can come several milliseconds late.
        _running = options.MaxConcurrentBatches;
        for (var i = 0; i < options.MaxConcurrentBatches; i++)
        {
            new Thread(Run) { IsBackground = true, Name = $"LyftServing batcher {i + 1}: {modelName}" }.Start();
        }
    }

    /// <summary>Gets the options the batcher was built with.</summary>
    public BatchingOptions Options { get; }

    public enum EnqueueResult
    {
        Queued,
        Full,
        Stopped,
    }

    /// <summary>
    /// Queues a row. The slot's value task completes with the row's answer, or with
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires first
    /// (a queued row leaves the queue; a running row runs on). <paramref name="permit"/> is given
    /// back when the row's work ends, or when it leaves the queue; when the row is not queued the
    /// caller keeps it.
    /// </summary>
    public EnqueueResult TryEnqueue(TFeatures features, ConcurrencyGate? permit, CancellationToken cancellationToken, out Slot slot)
    {
        slot = new Slot(this, features, permit, _timeProvider.GetTimestamp());
        lock (_lock)
        {
            if (_stopping)
            {
                return EnqueueResult.Stopped;
            }

            if (_queue.Count >= _queueLimit)
            {
                return EnqueueResult.Full;
            }

            _queue.AddLast(slot);
            if (_queue.Count == 1)
            {
                // No thread is filling a batch (its rows would be queued): wake one to start.
                Monitor.Pulse(_lock);
            }
            else if (_queue.Count == _maxBatchSize)
            {
                // The filling thread may not be the first waiter: wake all, the others wait again.
                Monitor.PulseAll(_lock);
            }
        }

        slot.Watch(cancellationToken);
        return EnqueueResult.Queued;
    }

    /// <summary>Stops taking rows and completes the queued ones.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _stopping = true;
            Monitor.PulseAll(_lock);
        }

        return _stopped.Task.WaitAsync(cancellationToken);
    }

    private void Run()
    {
        var batch = new List<Slot>(_maxBatchSize);
        var features = new TFeatures[_maxBatchSize];
        var outputs = new TOutput[_maxBatchSize];
        var errors = new Exception?[_maxBatchSize];
        while (Take(batch))
        {
            Execute(batch, features, outputs, errors);
            batch.Clear();
        }

        if (Interlocked.Decrement(ref _running) == 0)
        {
            _stopped.TrySetResult();
        }
    }

    /// <summary>
    /// Waits for a first row and for no other thread to be filling a batch, then until the batch is
    /// full or that row has waited MaxDelay. Returns <see langword="false"/> once stopping and
    /// nothing is queued. The rows taken are marked running under the lock, so a caller that gives
    /// up afterwards is released without its row leaving the batch.
    /// </summary>
    private bool Take(List<Slot> batch)
    {
        lock (_lock)
        {
            while (_queue.Count == 0 || _filling)
            {
                if (_stopping && _queue.Count == 0)
                {
                    return false;
                }

                Monitor.Wait(_lock);
            }

            // The deadline runs on the injected clock; a timer on it wakes the wait, so a test's
            // clock decides, while the wait's own timeout keeps the real clock precise. Rows that
            // leave the queue meanwhile make the first row a later one: its own wait counts.
            _filling = true;
            ITimer? timer = null;
            while (_queue.Count < _maxBatchSize && !_stopping && _queue.First is { } first)
            {
                var remaining = _maxDelay - _timeProvider.GetElapsedTime(first.Enqueued);
                if (remaining <= TimeSpan.Zero)
                {
                    break;
                }

                timer ??= _timeProvider.CreateTimer(static state => ((DynamicBatcher<TFeatures, TOutput>)state!).Wake(), this, remaining, Timeout.InfiniteTimeSpan);
                Monitor.Wait(_lock, remaining);
            }

            timer?.Dispose();
            while (batch.Count < _maxBatchSize && _queue.First is { } slot)
            {
                _queue.Remove(slot);
                batch.Add(slot);
            }

            _filling = false;
            if (_queue.Count > 0 || _stopping)
            {
                // Rows for the next batch are already queued (or the loop must see that it stops):
                // hand filling over while this thread runs its batch.
                Monitor.PulseAll(_lock);
            }

            return true;
        }
    }

    private void Wake()
    {
        lock (_lock)
        {
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Takes a row out of the queue if it is still there; <see langword="false"/> when a batch already took it.</summary>
    private bool Leave(Slot slot)
    {
        lock (_lock)
        {
            if (!slot.Queued)
            {
                return false;
            }

            _queue.Remove(slot);
            return true;
        }
    }

    private void Execute(List<Slot> batch, TFeatures[] features, TOutput[] outputs, Exception?[] errors)
    {
        var count = batch.Count;
        if (count == 0)
        {
            return; // every row of the filling batch left before it ran
        }

        for (var i = 0; i < count; i++)
        {
            features[i] = batch[i].Features;
        }

        string version;
        try
        {
            version = _execute(features.AsSpan(0, count), outputs.AsSpan(0, count), errors.AsSpan(0, count));
        }
        catch (Exception ex)
        {
            // No primary, or the host is stopping: every row gets the same answer.
            foreach (var slot in batch)
            {
                slot.Finish(default!, null, ex);
            }

            Array.Clear(features, 0, count);
            return;
        }

        for (var i = 0; i < count; i++)
        {
            batch[i].Finish(outputs[i], version, errors[i]);
        }

        // Drop references to callers' features and outputs until the next batch.
        Array.Clear(features, 0, count);
        Array.Clear(outputs, 0, count);
        Array.Clear(errors, 0, count);
    }

    /// <summary>One caller's row: its features, its permit and the awaitable its answer completes.</summary>
    internal sealed class Slot : IValueTaskSource<Prediction<TOutput>>, IValueTaskSource<TOutput>
    {
        // Who completes the caller's awaitable: the batch (Finish) or the caller giving up (Cancel),
        // whichever comes first. The permit is given back when the row's work has ended: when it
        // leaves the queue unrun, or when its batch returns.
        private readonly DynamicBatcher<TFeatures, TOutput> _batcher;
        private readonly ConcurrencyGate? _permit;
        private ManualResetValueTaskSourceCore<Prediction<TOutput>> _core = new() { RunContinuationsAsynchronously = true };
        private CancellationTokenRegistration _cancellation;
        private int _completed;

        public Slot(DynamicBatcher<TFeatures, TOutput> batcher, TFeatures features, ConcurrencyGate? permit, long enqueued)
        {
            _batcher = batcher;
            _permit = permit;
            Features = features;
            Enqueued = enqueued;
        }

        public TFeatures Features { get; }

        /// <summary>Gets when the row was queued, as a timestamp of the batcher's clock.</summary>
        public long Enqueued { get; }

        /// <summary>Gets whether the row waits in the queue (not yet taken by a batch, not left).</summary>
        public bool Queued { get; set; }

        /// <summary>Gets or sets the row before this one in the queue.</summary>
        public Slot? Previous { get; set; }

        /// <summary>Gets or sets the row after this one in the queue.</summary>
        public Slot? Next { get; set; }

        public ValueTask<Prediction<TOutput>> Task => new(this, _core.Version);

        /// <summary>Gets the answer without the version: no wrapper between the caller and its row.</summary>
        public ValueTask<TOutput> Output => new(this, _core.Version);

        public void Watch(CancellationToken cancellationToken)
        {
            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((Slot)state!).Cancel(token), this);
            }
        }

        public void Finish(TOutput output, string? version, Exception? error)
        {
            _permit?.Exit();
            if (Interlocked.Exchange(ref _completed, 1) != 0)
            {
                return; // the caller gave up while the batch ran: nobody waits for this answer
            }

            _cancellation.Dispose();
            if (error is not null)
            {
                _core.SetException(error);
            }
            else
            {
                _core.SetResult(new Prediction<TOutput>(output, version!));
            }
        }

        public Prediction<TOutput> GetResult(short token) => _core.GetResult(token);

        TOutput IValueTaskSource<TOutput>.GetResult(short token) => _core.GetResult(token).Output;

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);

        private void Cancel(CancellationToken token)
        {
            if (Interlocked.Exchange(ref _completed, 1) != 0)
            {
                return;
            }

            if (_batcher.Leave(this))
            {
                _permit?.Exit(); // never ran
            }

            _core.SetException(new OperationCanceledException(token));
        }
    }

    /// <summary>
    /// The queue of waiting rows, linked through the rows themselves: adding costs no allocation,
    /// and a row whose caller gives up leaves it in O(1). Used under the batcher's lock.
    /// </summary>
    private sealed class SlotQueue
    {
        public Slot? First { get; private set; }

        public int Count { get; private set; }

        private Slot? Last { get; set; }

        public void AddLast(Slot slot)
        {
            slot.Previous = Last;
            slot.Next = null;
            if (Last is null)
            {
                First = slot;
            }
            else
            {
                Last.Next = slot;
            }

            Last = slot;
            slot.Queued = true;
            Count++;
        }

        public void Remove(Slot slot)
        {
            if (slot.Previous is null)
            {
                First = slot.Next;
            }
            else
            {
                slot.Previous.Next = slot.Next;
            }

            if (slot.Next is null)
            {
                Last = slot.Previous;
            }
            else
            {
                slot.Next.Previous = slot.Previous;
            }

            slot.Previous = slot.Next = null;
            slot.Queued = false;
            Count--;
        }
    }
}
