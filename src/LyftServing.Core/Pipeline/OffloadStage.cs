namespace LyftServing.Internal;

/// <summary>
/// Runs <c>Predict</c> on the thread pool instead of the caller's thread
/// (<see cref="LimitOptions.RunOnThreadPool"/>), so that the deadline or the caller's cancellation
/// releases the caller at once even while a synchronous <c>Predict</c> still runs. The prediction
/// runs on and gives its concurrency permit back when it ends. One hop and one task per call: only
/// for models whose <c>Predict</c> may run far past the timeout.
/// </summary>
internal sealed class OffloadStage<TFeatures, TOutput>(PredictStage<TFeatures, TOutput> predict, ModelContext context) : CallStage<TFeatures, TOutput>
{
    public override async ValueTask<Prediction<TOutput>> InvokeAsync(ModelCall<TFeatures> call, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            call.ReleasePermit();
            cancellationToken.ThrowIfCancellationRequested();
        }

        // The deadline's timer starts before the work does, so the wait is bounded from the moment the
        // model can run (a clock that moves once the model has started is seen). The work checks the
        // deadline before it starts and releases the permit when it ends.
        using var wait = call.BeginWait(context.TimeProvider, cancellationToken);
        var work = Task.Run(() => predict.InvokeAsync(call, CancellationToken.None).AsTask(), CancellationToken.None);
        return await work.WaitAsync(wait.Token).ConfigureAwait(false);
    }
}
