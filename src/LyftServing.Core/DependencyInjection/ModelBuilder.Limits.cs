namespace LyftServing;

public sealed partial class ModelBuilder
{
    /// <summary>
    /// Runs at most <paramref name="maxConcurrency"/> calls at once, with up to
    /// <paramref name="queueLimit"/> more waiting; beyond that calls fail at once with
    /// <see cref="ModelOverloadedException"/>.
    /// </summary>
    /// <param name="maxConcurrency">The most calls running at once.</param>
    /// <param name="queueLimit">The most calls waiting for a slot.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder LimitConcurrency(int maxConcurrency, int queueLimit = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(queueLimit);
        return Configure(o =>
        {
            o.Limits.MaxConcurrency = maxConcurrency;
            o.Limits.QueueLimit = queueLimit;
        });
    }

    /// <summary>Fails calls that take longer than <paramref name="timeout"/>, waiting included, with <see cref="ModelTimeoutException"/>.</summary>
    /// <param name="timeout">The longest a call may take.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder WithTimeout(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        return Configure(o => o.Limits.Timeout = timeout);
    }

    /// <summary>Coalesces concurrent calls into batches; the model code must implement <see cref="IBatchModel{TFeatures, TOutput}"/>.</summary>
    /// <param name="maxBatchSize">The most rows per batch.</param>
    /// <param name="maxDelay">How long a batch's first row waits for more.</param>
    /// <param name="maxConcurrentBatches">How many batches may run at once.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder UseDynamicBatching(int maxBatchSize, TimeSpan maxDelay, int maxConcurrentBatches = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDelay.Ticks);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentBatches, 1);
        return Configure(o =>
        {
            o.Batching.Enabled = true;
            o.Batching.MaxBatchSize = maxBatchSize;
            o.Batching.MaxDelay = maxDelay;
            o.Batching.MaxConcurrentBatches = maxConcurrentBatches;
        });
    }

    /// <summary>Records a sample of this model's calls (features, output, version, latency) to the registered prediction sinks.</summary>
    /// <param name="sampleRate">The share of calls recorded, from 0 to 1.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder LogPredictions(double sampleRate = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sampleRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampleRate, 1);
        return Configure(o => o.PredictionLog.SampleRate = sampleRate);
    }
}
