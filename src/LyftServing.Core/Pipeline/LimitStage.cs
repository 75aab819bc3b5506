namespace LyftServing.Internal;

/// <summary>
/// Admits at most <see cref="LimitOptions.MaxConcurrency"/> calls at once, with up to
/// <see cref="LimitOptions.QueueLimit"/> more waiting (in order); beyond that a call fails at once with
/// <see cref="ModelOverloadedException"/>. The permit is handed to the call
/// (<see cref="ModelCall{TFeatures}.Permit"/>) and given back when its work has ended.
/// </summary>
internal sealed class LimitStage<TFeatures, TOutput>(
    CallStage<TFeatures, TOutput> next,
    ConcurrencyGate gate,
    TimeSpan retryAfter,
    ModelContext context) : CallStage<TFeatures, TOutput>
{
    public override ValueTask<Prediction<TOutput>> InvokeAsync(ModelCall<TFeatures> call, CancellationToken cancellationToken) =>
        gate.TryEnter()
            ? next.InvokeAsync(call with { Permit = gate }, cancellationToken)
            : WaitAsync(call, cancellationToken);

    private async ValueTask<Prediction<TOutput>> WaitAsync(ModelCall<TFeatures> call, CancellationToken cancellationToken)
    {
        using (var wait = call.BeginWait(context.TimeProvider, cancellationToken))
        {
            var entered = gate.EnterAsync(wait.Token) ?? throw Overloaded();
            await entered.ConfigureAwait(false);
        }

        // Admitted at or after the deadline (the timer and the grant raced): do not start.
        if (call.Deadline != 0 && context.TimeProvider.GetTimestamp() >= call.Deadline)
        {
            gate.Exit();
            throw new OperationCanceledException("The call's deadline passed while it waited for a concurrency slot.");
        }

        return await next.InvokeAsync(call with { Permit = gate }, cancellationToken).ConfigureAwait(false);
    }

    private ModelOverloadedException Overloaded()
    {
        var overloaded = context.Metrics.Overloaded;
        if (overloaded.Enabled)
        {
            overloaded.Add(1, new KeyValuePair<string, object?>(ModelServingTelemetry.ModelNameTag, context.Name));
        }

        return new ModelOverloadedException(context.Name, retryAfter);
    }
}
