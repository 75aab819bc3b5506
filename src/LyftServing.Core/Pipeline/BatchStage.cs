namespace LyftServing.Internal;

/// <summary>
/// Sends primary calls through the model's <see cref="DynamicBatcher{TFeatures, TOutput}"/>; calls
/// that name a version run on their own. The caller waits for its row without a thread-pool hop of
/// its own: the batch runs on the batcher's thread and completes the row.
/// </summary>
internal sealed class BatchStage<TFeatures, TOutput>(
    DynamicBatcher<TFeatures, TOutput> batcher,
    PredictStage<TFeatures, TOutput> predict,
    TimeSpan retryAfter,
    ModelContext context) : CallStage<TFeatures, TOutput>
{
    public override ValueTask<Prediction<TOutput>> InvokeAsync(ModelCall<TFeatures> call, CancellationToken cancellationToken)
    {
        if (call.Version is not null || cancellationToken.IsCancellationRequested)
        {
            return predict.InvokeAsync(call, cancellationToken);
        }

        if (call.Deadline != 0)
        {
            return WaitWithDeadlineAsync(call, cancellationToken);
        }

        return batcher.TryEnqueue(call.Features, call.Permit, cancellationToken, out var slot) switch
        {
            DynamicBatcher<TFeatures, TOutput>.EnqueueResult.Queued => slot.Task,
            var refused => Refused(call, refused, cancellationToken),
        };
    }

    /// <summary>When batching is the only stage: the caller awaits its row's output directly.</summary>
    public ValueTask<TOutput> PredictOutputAsync(TFeatures features, CancellationToken cancellationToken)
    {
        var call = new ModelCall<TFeatures>(features, null, 0);
        ValueTask<Prediction<TOutput>> pending;
        if (cancellationToken.IsCancellationRequested)
        {
            pending = predict.InvokeAsync(call, cancellationToken);
        }
        else
        {
            var result = batcher.TryEnqueue(features, null, cancellationToken, out var slot);
            if (result == DynamicBatcher<TFeatures, TOutput>.EnqueueResult.Queued)
            {
                return slot.Output;
            }

            pending = Refused(call, result, cancellationToken);
        }

        return pending.IsCompletedSuccessfully ? new ValueTask<TOutput>(pending.Result.Output) : OutputOfAsync(pending);

        static async ValueTask<TOutput> OutputOfAsync(ValueTask<Prediction<TOutput>> pending) => (await pending.ConfigureAwait(false)).Output;
    }

    private async ValueTask<Prediction<TOutput>> WaitWithDeadlineAsync(ModelCall<TFeatures> call, CancellationToken cancellationToken)
    {
        // The deadline's timer releases the caller: a queued row leaves the queue, a running row
        // runs on and keeps the call's permit until its batch ends.
        using var wait = call.BeginWait(context.TimeProvider, cancellationToken);
        var result = batcher.TryEnqueue(call.Features, call.Permit, wait.Token, out var slot);
        return result == DynamicBatcher<TFeatures, TOutput>.EnqueueResult.Queued
            ? await slot.Task.ConfigureAwait(false)
            : await Refused(call, result, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask<Prediction<TOutput>> Refused(ModelCall<TFeatures> call, DynamicBatcher<TFeatures, TOutput>.EnqueueResult result, CancellationToken cancellationToken)
    {
        if (result == DynamicBatcher<TFeatures, TOutput>.EnqueueResult.Stopped)
        {
            // The batcher was replaced (new options) or the host is stopping: the call runs on its
            // own; after a stop it finds no primary and answers "not ready".
            return predict.InvokeAsync(call, cancellationToken);
        }

        call.ReleasePermit();
        var overloaded = context.Metrics.Overloaded;
        if (overloaded.Enabled)
        {
            overloaded.Add(1, new KeyValuePair<string, object?>(ModelServingTelemetry.ModelNameTag, context.Name));
        }

        return ValueTask.FromException<Prediction<TOutput>>(new ModelOverloadedException(context.Name, retryAfter));
    }
}
