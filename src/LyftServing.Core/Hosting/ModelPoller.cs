namespace LyftServing.Internal;

/// <summary>
/// Runs a model's refresh at its poll interval on the host's clock. The interval can change while
/// it runs (live configuration); a refresh that fails is logged by the lifecycle and the next one
/// runs on time.
/// </summary>
/// <remarks>
/// Each wait is jittered down to <see cref="Jitter"/> of the interval, never up, so replicas that
/// started together drift apart and stop hitting the store in lockstep, while a new version is
/// still found within one interval. While the store cannot be reached the waits double (up to
/// <see cref="MaxBackOff"/> intervals), so a fleet does not hammer a store that is struggling.
/// </remarks>
internal sealed class ModelPoller(TimeProvider timeProvider, Func<Task<bool>> refresh)
{
    /// <summary>The share of the interval a wait may be shortened by.</summary>
    public const double Jitter = 0.2;

    /// <summary>The longest wait while the store is unreachable, in intervals.</summary>
    public const int MaxBackOff = 8;

    private readonly Lock _lock = new();
    private CancellationTokenSource? _running;
    private TimeSpan? _interval;

    /// <summary>Starts polling at <paramref name="interval"/>, restarting when it changed; <see langword="null"/> stops.</summary>
    public void Set(TimeSpan? interval, CancellationToken stopping)
    {
        lock (_lock)
        {
            if (interval == _interval && (_running is not null || interval is null))
            {
                return;
            }

            _running?.Cancel();
            _running?.Dispose();
            _running = null;
            _interval = interval;
            if (interval is { } every && !stopping.IsCancellationRequested)
            {
                _running = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                _ = PollAsync(every, _running.Token);
            }
        }
    }

    /// <summary>The wait before the next poll, after <paramref name="failures"/> polls in a row could not reach the store.</summary>
    public static TimeSpan NextWait(TimeSpan interval, int failures, double random)
    {
        var intervals = Math.Min(MaxBackOff, 1 << Math.Min(failures, 30));
        return interval * intervals * (1 - (Jitter * random));
    }

    private async Task PollAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        var failures = 0;
        try
        {
            while (true)
            {
                await Task.Delay(NextWait(interval, failures, Random.Shared.NextDouble()), timeProvider, cancellationToken).ConfigureAwait(false);

                // The refresh itself is not cancelled by a change of interval, only by the host stopping.
                failures = await refresh().ConfigureAwait(false) ? 0 : failures + 1;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped, or restarted with another interval.
        }
    }
}
