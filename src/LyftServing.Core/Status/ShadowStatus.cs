namespace LyftServing;

/// <summary>How a shadow version compares with the primary so far.</summary>
public sealed class ShadowStatus
{
    /// <summary>Gets the shadow version.</summary>
    public required string Version { get; init; }

    /// <summary>Gets the share of the primary's calls copied to this shadow, from 0 to 1.</summary>
    public double SampleRate { get; init; }

    /// <summary>Gets the number of copied calls the shadow answered or failed (matches, mismatches and errors).</summary>
    public required long Requests { get; init; }

    /// <summary>Gets the number of outputs that agreed with the primary's.</summary>
    public required long Matches { get; init; }

    /// <summary>Gets the number of outputs that disagreed.</summary>
    public required long Mismatches { get; init; }

    /// <summary>Gets the number of copied calls the shadow threw on.</summary>
    public required long Errors { get; init; }

    /// <summary>Gets the number of copies dropped because the shadow queue was full.</summary>
    public required long Dropped { get; init; }

    /// <summary>Gets <see cref="Matches"/> / <see cref="Requests"/>, or <see langword="null"/> before the first request.</summary>
    public double? MatchRate => Requests == 0 ? null : (double)Matches / Requests;

    /// <summary>Gets the median latency of the primary on the compared calls.</summary>
    public TimeSpan? PrimaryLatencyP50 { get; init; }

    /// <summary>Gets the 99th-percentile latency of the primary on the compared calls.</summary>
    public TimeSpan? PrimaryLatencyP99 { get; init; }

    /// <summary>Gets the median latency of the shadow.</summary>
    public TimeSpan? ShadowLatencyP50 { get; init; }

    /// <summary>Gets the 99th-percentile latency of the shadow.</summary>
    public TimeSpan? ShadowLatencyP99 { get; init; }
}
