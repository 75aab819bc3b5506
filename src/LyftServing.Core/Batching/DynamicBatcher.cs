using System.Threading.Channels;
using System.Threading.Tasks.Sources;

namespace LyftServing.Internal;

/// <summary>
/// Coalesces concurrent calls into batches of up to <see cref="BatchingOptions.MaxBatchSize"/>
/// rows, waiting at most <see cref="BatchingOptions.MaxDelay"/> after a batch's first row, and
/// runs one batch at a time; calls that arrive meanwhile form the next, larger batch.
/// </summary>
internal sealed class DynamicBatcher<TFeatures, TOutput>
{
    private readonly Channel<Slot> _queue = Channel.CreateUnbounded<Slot>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int _maxBatchSize;
    private readonly TimeSpan _maxDelay;
    private readonly TimeProvider _timeProvider;
    private readonly BatchExecutor _execute;
    private readonly Task _loop;

    /// <summary>Runs one batch on the primary: fills outputs and per-row errors, returns the version that ran it.</summary>
    public delegate string BatchExecutor(ReadOnlySpan<TFeatures> features, Span<TOutput> outputs, Span<Exception?> errors);

    public DynamicBatcher(BatchingOptions options, TimeProvider timeProvider, BatchExecutor execute)
    {
        _maxBatchSize = options.MaxBatchSize;
        _maxDelay = options.MaxDelay;
        _timeProvider = timeProvider;
        _execute = execute;
        _loop = Task.Run(RunAsync);
    }

    public ValueTask<(TOutput Output, string Version)> PredictAsync(TFeatures features, CancellationToken cancellationToken)
    {
        var slot = new Slot(features, cancellationToken);
        if (!_queue.Writer.TryWrite(slot))
        {
            slot.Dispose();
            throw new InvalidOperationException("The batcher has stopped.");
        }

        return new ValueTask<(TOutput, string)>(slot, slot.Token);
    }

    /// <summary>Stops taking rows and completes the queued ones.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        return _loop.WaitAsync(cancellationToken);
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Slot>(_maxBatchSize);
        var features = new TFeatures[_maxBatchSize];
        var outputs = new TOutput[_maxBatchSize];
        var errors = new Exception?[_maxBatchSize];
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            Take(reader, batch);
            if (batch.Count > 0 && batch.Count < _maxBatchSize && _maxDelay > TimeSpan.Zero)
            {
                // Wait for more rows until the batch is full or the first row has waited MaxDelay.
                using var delay = new CancellationTokenSource(_maxDelay, _timeProvider);
                try
                {
                    while (batch.Count < _maxBatchSize && await reader.WaitToReadAsync(delay.Token).ConfigureAwait(false))
                    {
                        Take(reader, batch);
                    }
                }
                catch (OperationCanceledException) when (delay.IsCancellationRequested)
                {
                }
            }

            if (batch.Count > 0)
            {
                Execute(batch, features, outputs, errors);
                batch.Clear();
            }
        }
    }

    private void Take(ChannelReader<Slot> reader, List<Slot> batch)
    {
        while (batch.Count < _maxBatchSize && reader.TryRead(out var slot))
        {
            // A caller that cancelled while queued has its answer already; skip its row.
            if (slot.IsPending)
            {
                batch.Add(slot);
            }
        }
    }

    private void Execute(List<Slot> batch, TFeatures[] features, TOutput[] outputs, Exception?[] errors)
    {
        // A caller that cancelled while its batch was still filling leaves it now.
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
    private sealed class Slot : IValueTaskSource<(TOutput, string)>, IDisposable
    {
        // Queued (in the channel or a filling batch) → Running, or Queued → Cancelled: whichever
        // comes first wins, so a row is either run or cancelled, never both.
        private const int Queued = 0;
        private const int Running = 1;
        private const int Cancelled = 2;

        // Continuations run on the thread pool, never inline on the batch loop.
        private readonly CancellationTokenRegistration _cancellation;
        private ManualResetValueTaskSourceCore<(TOutput, string)> _core = new() { RunContinuationsAsynchronously = true };
        private int _state;

        public Slot(TFeatures features, CancellationToken cancellationToken)
        {
            Features = features;
            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((Slot)state!).Cancel(token), this);
            }
        }

        public TFeatures Features { get; }

        public short Token => _core.Version;

        public bool IsPending => Volatile.Read(ref _state) == Queued;

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
