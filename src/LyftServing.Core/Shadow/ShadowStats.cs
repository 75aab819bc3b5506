namespace LyftServing.Internal;

/// <summary>The running comparison of one shadow version with the primary.</summary>
internal sealed class ShadowStats
{
    private long _matches;
    private long _mismatches;
    private long _errors;
    private long _dropped;

    public LatencyHistogram PrimaryLatency { get; } = new();

    public LatencyHistogram ShadowLatency { get; } = new();

    public void Match() => Interlocked.Increment(ref _matches);

    public void Mismatch() => Interlocked.Increment(ref _mismatches);

    public void Error() => Interlocked.Increment(ref _errors);

    public void Drop() => Interlocked.Increment(ref _dropped);

    public ShadowStatus ToStatus(string version, double sampleRate)
    {
        var matches = Interlocked.Read(ref _matches);
        var mismatches = Interlocked.Read(ref _mismatches);
        var errors = Interlocked.Read(ref _errors);
        return new ShadowStatus
        {
            Version = version,
            SampleRate = sampleRate,
            Requests = matches + mismatches + errors,
            Matches = matches,
            Mismatches = mismatches,
            Errors = errors,
            Dropped = Interlocked.Read(ref _dropped),
            PrimaryLatencyP50 = PrimaryLatency.Quantile(0.5),
            PrimaryLatencyP99 = PrimaryLatency.Quantile(0.99),
            ShadowLatencyP50 = ShadowLatency.Quantile(0.5),
            ShadowLatencyP99 = ShadowLatency.Quantile(0.99),
        };
    }
}
