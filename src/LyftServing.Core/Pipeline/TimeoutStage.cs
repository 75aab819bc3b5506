namespace LyftServing.Internal;

/// <summary>
/// Gives the call a deadline (<see cref="LimitOptions.Timeout"/>, counted from the call's start) and
/// turns "the deadline passed" into <see cref="ModelTimeoutException"/>. It starts no timer and no
/// thread of its own:
/// <list type="bullet">
/// <item>waiting for a concurrency slot or for a batch, the waiting stage arms a timer on the
/// host's clock for the time left, and only when it really has to wait; the timer ends the wait and
/// the call leaves the queue;</item>
/// <item>a batched row already running keeps running on its batch thread; the timer releases the
/// caller, and the row keeps its slot until its batch ends;</item>
/// <item><c>Predict</c> on the caller's thread cannot be interrupted: the call runs inline (no
/// thread-pool hop, no timer, two timestamps), does not start if it waited past its deadline for
/// a slot, and fails with the timeout when it returns after it;</item>
/// <item>with <see cref="LimitOptions.RunOnThreadPool"/>, <c>Predict</c> runs on the thread pool
/// (one hop, asked for) and the timer releases the caller at the deadline while it runs on.</item>
/// </list>
/// </summary>
internal sealed class TimeoutStage<TFeatures, TOutput>(
    CallStage<TFeatures, TOutput> next,
    TimeSpan timeout,
    ModelContext context) : CallStage<TFeatures, TOutput>
{
    private readonly long _timeoutTicks = (long)(timeout.TotalSeconds * context.TimeProvider.TimestampFrequency);

    public override ValueTask<Prediction<TOutput>> InvokeAsync(ModelCall<TFeatures> call, CancellationToken cancellationToken)
    {
        var time = context.TimeProvider;
        var deadline = time.GetTimestamp() + _timeoutTicks;
        var pending = next.InvokeAsync(call with { Deadline = deadline }, cancellationToken);
        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitAsync(pending, deadline, cancellationToken);
        }

        // An answer after the deadline is not one the caller asked for.
        return time.GetTimestamp() >= deadline ? ValueTask.FromException<Prediction<TOutput>>(TimedOut()) : pending;
    }

    private async ValueTask<Prediction<TOutput>> AwaitAsync(ValueTask<Prediction<TOutput>> pending, long deadline, CancellationToken cancellationToken)
    {
        var time = context.TimeProvider;
        Prediction<TOutput> prediction;
        try
        {
            prediction = await pending.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && time.GetTimestamp() >= deadline)
        {
            throw TimedOut();
        }

        return time.GetTimestamp() >= deadline ? throw TimedOut() : prediction;
    }

    private ModelTimeoutException TimedOut()
    {
        var timeouts = context.Metrics.Timeouts;
        if (timeouts.Enabled)
        {
            timeouts.Add(1, new KeyValuePair<string, object?>(ModelServingTelemetry.ModelNameTag, context.Name));
        }

        return new ModelTimeoutException(context.Name, timeout);
    }
}
