namespace LyftServing;

/// <summary>A model version failed to load, warm up or pass its required self-tests; it never served.</summary>
public sealed class ModelLoadException : ModelServingException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version that failed, or <see langword="null"/> when no version could be chosen.</param>
    /// <param name="message">What failed, naming model, version and cause.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ModelLoadException(string modelName, string? version, string message, Exception? innerException = null)
        : base(modelName, message, innerException)
    {
        Version = version;
    }

    /// <summary>Gets the version that failed, or <see langword="null"/> when no version could be chosen.</summary>
    public string? Version { get; }
}
