using System.Threading.Tasks.Sources;

namespace LyftServing.Internal;

/// <summary>
/// Coalesces concurrent calls into batches of up to <see cref="BatchingOptions.MaxBatchSize"/>
/// rows, waiting at most <see cref="BatchingOptions.MaxDelay"/> after a batch's first row was
/// queued, and runs up to <see cref="BatchingOptions.MaxConcurrentBatches"/> batches at once, each
/// on a thread of its own. One thread at a time fills a batch; calls that arrive meanwhile form the
/// next one.
/// </summary>
internal sealed class DynamicBatcher<TFeatures, TOutput>
{
    // A plain object, not System.Threading.Lock: the loop waits on it with Monitor.Wait.
    private readonly object _lock = new();
    private readonly Queue<Slot> _queue = new();
    private readonly int _maxBatchSize;
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
        _maxBatchSize = options.MaxBatchSize;
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

    public ValueTask<(TOutput Output, string Version)> PredictAsync(TFeatures features, CancellationToken cancellationToken)
    {
        var slot = Enqueue(features, cancellationToken);
        return new ValueTask<(TOutput, string)>(slot, slot.Token);
    }

    /// <summary>Like <see cref="PredictAsync"/>, without the version: no wrapper between the caller and its row.</summary>
    public ValueTask<TOutput> PredictOutputAsync(TFeatures features, CancellationToken cancellationToken)
    {
        var slot = Enqueue(features, cancellationToken);
        return new ValueTask<TOutput>(slot, slot.Token);
    }

    private Slot Enqueue(TFeatures features, CancellationToken cancellationToken)
    {
        var slot = new Slot(features, _timeProvider.GetTimestamp(), cancellationToken);
        lock (_lock)
        {
            if (_stopping)
            {
                slot.Dispose();
                throw new InvalidOperationException("The batcher has stopped.");
            }

            _queue.Enqueue(slot);
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

        return slot;
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
    /// nothing is queued.
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
            // clock decides, while the wait's own timeout keeps the real clock precise.
            _filling = true;
            var first = _queue.Peek().Enqueued;
            ITimer? timer = null;
            while (_queue.Count < _maxBatchSize && !_stopping)
            {
                var remaining = _maxDelay - _timeProvider.GetElapsedTime(first);
                if (remaining <= TimeSpan.Zero)
                {
                    break;
                }

                timer ??= _timeProvider.CreateTimer(static state => ((DynamicBatcher<TFeatures, TOutput>)state!).Wake(), this, remaining, Timeout.InfiniteTimeSpan);
                Monitor.Wait(_lock, remaining);
            }

            timer?.Dispose();
            while (batch.Count < _maxBatchSize && _queue.TryDequeue(out var slot))
            {
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

    private void Execute(List<Slot> batch, TFeatures[] features, TOutput[] outputs, Exception?[] errors)
    {
        // A caller that cancelled while its batch was filling leaves it now.
        batch.RemoveAll(slot => !slot.TryStart());
        var count = batch.Count;
        if (count == 0)
        {
            return;
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
                slot.SetException(ex);
            }

            Array.Clear(features, 0, count);
            return;
        }

        for (var i = 0; i < count; i++)
        {
            if (errors[i] is { } error)
            {
                batch[i].SetException(error);
            }
            else
            {
                batch[i].SetResult((outputs[i], version));
            }
        }

        // Drop references to callers' features and outputs until the next batch.
        Array.Clear(features, 0, count);
        Array.Clear(outputs, 0, count);
        Array.Clear(errors, 0, count);
    }

    /// <summary>One caller's row: its features and the awaitable its answer completes.</summary>
    private sealed class Slot : IValueTaskSource<(TOutput, string)>, IValueTaskSource<TOutput>, IDisposable
    {
        // Queued (waiting in the queue, possibly for a filling batch) → Running, or Queued → Cancelled: whichever
        // comes first wins, so a row is either run or cancelled, never both.
        private const int Queued = 0;
        private const int Running = 1;
        private const int Cancelled = 2;

        // Continuations run on the thread pool, never inline on the batch loop.
        private readonly CancellationTokenRegistration _cancellation;
        private ManualResetValueTaskSourceCore<(TOutput, string)> _core = new() { RunContinuationsAsynchronously = true };
        private int _state;

        public Slot(TFeatures features, long enqueued, CancellationToken cancellationToken)
        {
            Features = features;
            Enqueued = enqueued;
            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((Slot)state!).Cancel(token), this);
            }
        }

        public TFeatures Features { get; }

        /// <summary>Gets when the row was queued, as a timestamp of the batcher's clock.</summary>
        public long Enqueued { get; }

        public short Token => _core.Version;

        public bool TryStart()
        {
            if (Interlocked.CompareExchange(ref _state, Running, Queued) != Queued)
            {
                return false;
            }

            _cancellation.Unregister();
            return true;
        }

        public void SetResult((TOutput, string) result) => _core.SetResult(result);

        public void SetException(Exception error) => _core.SetException(error);

        public (TOutput, string) GetResult(short token) => _core.GetResult(token);

        TOutput IValueTaskSource<TOutput>.GetResult(short token) => _core.GetResult(token).Item1;

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);

        public void Dispose() => _cancellation.Dispose();

        private void Cancel(CancellationToken token)
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued)
            {
                _core.SetException(new OperationCanceledException(token));
            }
        }
    }
}
