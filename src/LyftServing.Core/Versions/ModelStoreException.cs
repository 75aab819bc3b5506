namespace LyftServing;

/// <summary>A model store could not list, read or write what a model needs.</summary>
public sealed class ModelStoreException : ModelServingException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelName">The model concerned, or an empty string when the failure concerns the whole store (listing its models).</param>
    /// <param name="version">The version concerned, when known.</param>
    /// <param name="message">What failed, naming the store, model and version.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ModelStoreException(string modelName, string? version, string message, Exception? innerException = null)
        : base(modelName, message, innerException)
    {
        Version = version;
    }

    /// <summary>Gets the version concerned, when known.</summary>
    public string? Version { get; }
}
