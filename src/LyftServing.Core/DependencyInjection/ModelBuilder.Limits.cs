namespace LyftServing;

public sealed partial class ModelBuilder<TFeatures, TOutput>
{
    /// <summary>
    /// Runs at most <paramref name="maxConcurrency"/> calls at once, with up to
    /// <paramref name="queueLimit"/> more waiting; beyond that calls fail at once with
    /// <see cref="ModelOverloadedException"/>. A call's slot stays taken until its prediction has
    /// ended, whatever ended the caller's wait.
    /// </summary>
    /// <param name="maxConcurrency">The most calls running at once.</param>
    /// <param name="queueLimit">The most calls waiting for a slot.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder<TFeatures, TOutput> LimitConcurrency(int maxConcurrency, int queueLimit = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(queueLimit);
        return Configure(o =>
        {
            o.Limits.MaxConcurrency = maxConcurrency;
            o.Limits.QueueLimit = queueLimit;
        });
    }

    /// <summary>Fails calls that take longer than <paramref name="timeout"/>, waiting included, with <see cref="ModelTimeoutException"/> (see <see cref="LimitOptions.Timeout"/>).</summary>
    /// <param name="timeout">The longest a call may take.</param>
    /// <param name="runOnThreadPool">Whether to run each <c>Predict</c> on the thread pool, so the timeout releases the caller even while <c>Predict</c> runs (see <see cref="LimitOptions.RunOnThreadPool"/>).</param>
    /// <returns>This builder.</returns>
    public ModelBuilder<TFeatures, TOutput> WithTimeout(TimeSpan timeout, bool runOnThreadPool = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        return Configure(o =>
        {
            o.Limits.Timeout = timeout;
            o.Limits.RunOnThreadPool = runOnThreadPool;
        });
    }

    /// <summary>Coalesces concurrent calls into batches; the model code must implement <see cref="IBatchModel{TFeatures, TOutput}"/>.</summary>
    /// <param name="maxBatchSize">The most rows per batch.</param>
    /// <param name="maxDelay">How long a batch's first row waits for more.</param>
    /// <param name="maxConcurrentBatches">How many batches may run at once.</param>
    /// <param name="queueLimit">The most rows waiting for a batch, or <see langword="null"/> for 16 × <paramref name="maxBatchSize"/>.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder<TFeatures, TOutput> UseDynamicBatching(int maxBatchSize, TimeSpan maxDelay, int maxConcurrentBatches = 1, int? queueLimit = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDelay.Ticks);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentBatches, 1);
        if (queueLimit is { } limit)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1, nameof(queueLimit));
        }

        return Configure(o =>
        {
            o.Batching.Enabled = true;
            o.Batching.MaxBatchSize = maxBatchSize;
            o.Batching.MaxDelay = maxDelay;
            o.Batching.MaxConcurrentBatches = maxConcurrentBatches;
            o.Batching.QueueLimit = queueLimit;
        });
    }

    /// <summary>Records a sample of this model's calls (features, output, version, latency) to the registered prediction sinks.</summary>
    /// <param name="sampleRate">The share of calls recorded, from 0 to 1.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder<TFeatures, TOutput> LogPredictions(double sampleRate = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sampleRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampleRate, 1);
        return Configure(o => o.PredictionLog.SampleRate = sampleRate);
    }
}
