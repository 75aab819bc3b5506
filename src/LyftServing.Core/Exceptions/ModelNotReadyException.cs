namespace LyftServing;

/// <summary>The model exists but has no version ready to serve (still loading, failed to load, or the host is stopping).</summary>
public sealed class ModelNotReadyException : ModelServingException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="message">Why it is not ready.</param>
    public ModelNotReadyException(string modelName, string message)
        : base(modelName, message)
    {
    }
}
