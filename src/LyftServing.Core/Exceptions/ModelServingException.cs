namespace LyftServing;

/// <summary>The base of the exceptions LyftServing throws about a model.</summary>
public abstract class ModelServingException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelName">The model concerned.</param>
    /// <param name="message">What happened, naming the model.</param>
    /// <param name="innerException">The cause, if any.</param>
    protected ModelServingException(string modelName, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ModelName = modelName;
    }

    /// <summary>Gets the name of the model concerned.</summary>
    public string ModelName { get; }
}
