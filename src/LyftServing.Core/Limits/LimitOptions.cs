using System.ComponentModel.DataAnnotations;

namespace LyftServing;

/// <summary>Overload protection of a model (configuration: <c>ModelServing:Models:{name}:Limits</c>).</summary>
public sealed class LimitOptions
{
    /// <summary>Gets or sets the most calls that run at once; <see langword="null"/> (the default) sets no limit.</summary>
    [Range(1, 1_000_000)]
    public int? MaxConcurrency { get; set; }

    /// <summary>
    /// Gets or sets how many calls may wait for a slot when <see cref="MaxConcurrency"/> calls run;
    /// a call beyond that fails at once with <see cref="ModelOverloadedException"/>. Default: 0.
    /// </summary>
    [Range(0, 1_000_000)]
    public int QueueLimit { get; set; }

    /// <summary>
    /// Gets or sets the longest a call may take, waiting included; <see langword="null"/> (the
    /// default) sets no timeout. A call waiting for a concurrency slot or for its batch is released
    /// at the deadline with <see cref="ModelTimeoutException"/> (and leaves the queue). A batched row
    /// already running keeps running and keeps its concurrency slot until its batch ends, while its
    /// caller is released. A <c>Predict</c> that runs on the caller's thread cannot be abandoned: it
    /// runs to its end, and the caller then gets <see cref="ModelTimeoutException"/> if the deadline
    /// passed. No timeout costs a thread-pool hop, unless <see cref="RunOnThreadPool"/> is set.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan? Timeout { get; set; }

    /// <summary>
    /// Gets or sets whether each <c>Predict</c> runs on the thread pool rather than on the caller's
    /// thread, so that <see cref="Timeout"/> and the caller's cancellation release the caller at once
    /// even while a synchronous <c>Predict</c> still runs (it runs on, and keeps its concurrency
    /// slot until it ends). Costs one thread-pool hop and a task per call. Default:
    /// <see langword="false"/>. Ignored with batching, whose batches already run on threads of their own.
    /// </summary>
    public bool RunOnThreadPool { get; set; }

    /// <summary>Gets or sets the retry hint given with <see cref="ModelOverloadedException"/> (HTTP <c>Retry-After</c>). Default: 1 second.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);
}
