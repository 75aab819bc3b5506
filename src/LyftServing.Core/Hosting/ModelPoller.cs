namespace LyftServing.Internal;

/// <summary>
/// Runs a model's refresh at its poll interval on the host's clock. The interval can change while
/// it runs (live configuration); a refresh that fails is logged by the lifecycle and the next one
/// runs on time.
/// </summary>
internal sealed class ModelPoller(TimeProvider timeProvider, Func<Task> refresh)
{
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

    private async Task PollAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                // The refresh itself is not cancelled by a change of interval, only by the host stopping.
                await refresh().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped, or restarted with another interval.
        }
    }
}
