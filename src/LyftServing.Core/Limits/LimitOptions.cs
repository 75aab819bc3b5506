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
    /// Gets or sets the longest a call may take, waiting included; after it the caller gets
    /// <see cref="ModelTimeoutException"/> (the prediction itself runs to completion and keeps its
    /// concurrency slot until then). <see langword="null"/> (the default) sets no timeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan? Timeout { get; set; }

    /// <summary>Gets or sets the retry hint given with <see cref="ModelOverloadedException"/> (HTTP <c>Retry-After</c>). Default: 1 second.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);
}
