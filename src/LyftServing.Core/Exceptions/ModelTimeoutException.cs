namespace LyftServing;

/// <summary>A call did not complete within the model's timeout (<see cref="LimitOptions.Timeout"/>).</summary>
public sealed class ModelTimeoutException : ModelServingException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="timeout">The timeout that passed.</param>
    public ModelTimeoutException(string modelName, TimeSpan timeout)
        : base(modelName, $"Model '{modelName}' did not answer within its timeout of {timeout.TotalMilliseconds:0.###} ms.")
    {
        Timeout = timeout;
    }

    /// <summary>Gets the timeout that passed.</summary>
    public TimeSpan Timeout { get; }
}
