namespace LyftServing;

/// <summary>One sampled prediction: what went in, what came out, which version answered, how fast.</summary>
public sealed class PredictionRecord
{
    /// <summary>Gets the model's name.</summary>
    public required string ModelName { get; init; }

    /// <summary>Gets the version that answered.</summary>
    public required string ModelVersion { get; init; }

    /// <summary>Gets the role of that version: <c>primary</c> or <c>direct</c> (a call that named the version).</summary>
    public required string Role { get; init; }

    /// <summary>Gets the features of the call.</summary>
    public required object? Features { get; init; }

    /// <summary>Gets the output returned.</summary>
    public required object? Output { get; init; }

    /// <summary>Gets how long the call took, waiting included.</summary>
    public required TimeSpan Latency { get; init; }

    /// <summary>Gets when the call completed.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the W3C trace id of the call's activity, if one was recorded.</summary>
    public string? TraceId { get; init; }
}
