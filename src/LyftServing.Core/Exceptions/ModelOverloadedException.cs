namespace LyftServing;

/// <summary>The model runs as many calls as its limit allows and its wait queue is full; retry later.</summary>
public sealed class ModelOverloadedException : ModelServingException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="retryAfter">When a retry is likely to succeed.</param>
    public ModelOverloadedException(string modelName, TimeSpan retryAfter)
        : base(modelName, $"Model '{modelName}' is at its concurrency limit and its queue is full; retry after {retryAfter.TotalSeconds:0.###} s.")
    {
        RetryAfter = retryAfter;
    }

    /// <summary>Gets when a retry is likely to succeed.</summary>
    public TimeSpan RetryAfter { get; }
}
