namespace LyftServing.Internal;

/// <summary>
/// One stage of a model's call pipeline, in the style of Microsoft.Extensions.AI's delegating
/// clients: it does its part and calls the next stage. Stages are immutable and built for one set
/// of options (<see cref="CallPipeline{TFeatures, TOutput}"/>); they complete synchronously, and so
/// allocate nothing, whenever nothing has to wait.
/// </summary>
/// <remarks>
/// The concurrency permit (<see cref="ModelCall{TFeatures}.Permit"/>) travels with the call: the
/// stage that ends the admitted work (the model call, or the batch that ran the row) gives it
/// back, whatever ended the caller's wait. A stage that drops a call before the work starts gives
/// it back itself.
/// </remarks>
internal abstract class CallStage<TFeatures, TOutput>
{
    public abstract ValueTask<Prediction<TOutput>> InvokeAsync(ModelCall<TFeatures> call, CancellationToken cancellationToken);
}

/// <summary>A call on its way through the pipeline.</summary>
/// <param name="Features">The caller's features.</param>
/// <param name="Version">The version the caller named, or <see langword="null"/> for the primary.</param>
/// <param name="Started">When the call entered the pipeline (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</param>
internal readonly record struct ModelCall<TFeatures>(TFeatures Features, string? Version, long Started)
{
    /// <summary>Gets the deadline as a timestamp of the host's <see cref="TimeProvider"/>, or 0 for none.</summary>
    public long Deadline { get; init; }

    /// <summary>Gets the concurrency permit this call holds, if the model has a limit.</summary>
    public ConcurrencyGate? Permit { get; init; }

    /// <summary>Gives back the permit of a call that ends before its work started.</summary>
    public void ReleasePermit() => Permit?.Exit();

    /// <summary>
    /// Starts a wait that ends at the deadline or when the caller cancels, for a stage that must
    /// wait: its token fires at the deadline on the host's clock. Dispose it after the wait.
    /// Allocates only here, on the paths that wait anyway.
    /// </summary>
    public WaitScope BeginWait(TimeProvider timeProvider, CancellationToken cancellationToken) =>
        Deadline == 0 ? new WaitScope(cancellationToken) : new WaitScope(timeProvider.GetElapsedTime(timeProvider.GetTimestamp(), Deadline), timeProvider, cancellationToken);
}

/// <summary>An answer: the output and the version that produced it.</summary>
internal readonly record struct Prediction<TOutput>(TOutput Output, string Version);

/// <summary>A wait bounded by a call's deadline and its caller's cancellation.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "It is disposable; the analyzer does not see it on a struct.")]
internal readonly struct WaitScope : IDisposable
{
    private readonly CancellationTokenSource? _deadline;
    private readonly CancellationTokenRegistration _link;

    public WaitScope(CancellationToken cancellationToken)
    {
        Token = cancellationToken;
    }

    public WaitScope(TimeSpan remaining, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        // The deadline's timer runs on the host's clock (a test's fake clock decides); the caller's
        // token cancels the same source.
        _deadline = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, timeProvider);
        if (cancellationToken.CanBeCanceled)
        {
            _link = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _deadline);
        }

        Token = _deadline.Token;
    }

    public CancellationToken Token { get; }

    public void Dispose()
    {
        _link.Dispose();
        _deadline?.Dispose();
    }
}

/// <summary>
/// A stage that acts once the rest of the pipeline has answered (shadows, the prediction log):
/// synchronously, with no allocation, when the answer came synchronously.
/// </summary>
internal abstract class AnsweredStage<TFeatures, TOutput>(CallStage<TFeatures, TOutput> next) : CallStage<TFeatures, TOutput>
{
    public sealed override ValueTask<Prediction<TOutput>> InvokeAsync(ModelCall<TFeatures> call, CancellationToken cancellationToken)
    {
        var pending = next.InvokeAsync(call, cancellationToken);
        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitAsync(pending, call);
        }

        var prediction = pending.Result;
        OnAnswered(call, prediction);
        return new ValueTask<Prediction<TOutput>>(prediction);
    }

    /// <summary>Handles an answer; must not throw or block: the caller is waiting.</summary>
    protected abstract void OnAnswered(ModelCall<TFeatures> call, Prediction<TOutput> prediction);

    private async ValueTask<Prediction<TOutput>> AwaitAsync(ValueTask<Prediction<TOutput>> pending, ModelCall<TFeatures> call)
    {
        var prediction = await pending.ConfigureAwait(false);
        OnAnswered(call, prediction);
        return prediction;
    }
}
