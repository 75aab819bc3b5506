using System.ComponentModel.DataAnnotations;

namespace LyftServing;

/// <summary>Dynamic batching of a model (configuration: <c>ModelServing:Models:{name}:Batching</c>).</summary>
/// <remarks>
/// Concurrent calls are coalesced into one <see cref="IBatchModel{TFeatures, TOutput}.PredictBatch"/>
/// call of up to <see cref="MaxBatchSize"/> rows, waiting at most <see cref="MaxDelay"/> after the
/// first row for more. The model code must implement <see cref="IBatchModel{TFeatures, TOutput}"/>.
/// </remarks>
public sealed class BatchingOptions
{
    /// <summary>Gets or sets whether batching is on. Default: <see langword="false"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>Gets or sets the most rows in one batch. Default: 32.</summary>
    [Range(1, 65_536)]
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>
    /// Gets or sets how many batches may run at once, each on a thread of its own. Default: 1.
    /// More than one uses more cores when a single batch run does not (for example ONNX Runtime
    /// with one intra-op thread).
    /// </summary>
    [Range(1, 64)]
    public int MaxConcurrentBatches { get; set; } = 1;

    /// <summary>
    /// Gets or sets how many rows may wait for a batch; a call beyond that fails at once with
    /// <see cref="ModelOverloadedException"/>. <see langword="null"/> (the default) allows
    /// 16 × <see cref="MaxBatchSize"/>. A row whose caller cancels or times out leaves the queue at once.
    /// </summary>
    [Range(1, 10_000_000)]
    public int? QueueLimit { get; set; }

    /// <summary>Gets or sets how long the first row of a batch waits for more rows. Default: 2 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMilliseconds(2);
}
