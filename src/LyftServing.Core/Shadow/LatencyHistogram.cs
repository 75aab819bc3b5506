namespace LyftServing.Internal;

/// <summary>
/// A small log-scale latency histogram for percentiles in the status view: 20 buckets per decade
/// from 1 µs to 100 s (about 12% resolution), lock-free to record.
/// </summary>
internal sealed class LatencyHistogram
{
    private const double MinSeconds = 1e-6;
    private const int BucketsPerDecade = 20;
    private const int Decades = 8;
    private readonly long[] _buckets = new long[(BucketsPerDecade * Decades) + 1];
    private long _count;

    public void Record(TimeSpan latency)
    {
        var seconds = Math.Max(latency.TotalSeconds, MinSeconds);
        var index = (int)Math.Min(Math.Log10(seconds / MinSeconds) * BucketsPerDecade, _buckets.Length - 1);
        Interlocked.Increment(ref _buckets[index]);
        Interlocked.Increment(ref _count);
    }

    /// <summary>Returns the upper bound of the bucket that holds the given quantile, or null when empty.</summary>
    public TimeSpan? Quantile(double quantile)
    {
        var count = Interlocked.Read(ref _count);
        if (count == 0)
        {
            return null;
        }

        var rank = (long)Math.Ceiling(quantile * count);
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += Interlocked.Read(ref _buckets[i]);
            if (seen >= rank)
            {
                return TimeSpan.FromSeconds(MinSeconds * Math.Pow(10, (i + 1) / (double)BucketsPerDecade));
            }
        }

        return TimeSpan.FromSeconds(MinSeconds * Math.Pow(10, Decades));
    }
}
