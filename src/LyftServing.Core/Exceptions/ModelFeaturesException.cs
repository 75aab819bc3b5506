namespace LyftServing;

/// <summary>Features given as JSON (or another untyped form) do not fit the model's features type.</summary>
/// <remarks>The message is written for the caller who sent the features: it names the JSON path and what was expected, never internal details.</remarks>
public sealed class ModelFeaturesException : ModelServingException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="path">The JSON path of the bad value, such as <c>$.distance_km</c>, or <see langword="null"/>.</param>
    /// <param name="message">What is wrong and what was expected.</param>
    /// <param name="innerException">The cause, if any; not meant to be shown to callers.</param>
    public ModelFeaturesException(string modelName, string? path, string message, Exception? innerException = null)
        : base(modelName, message, innerException)
    {
        Path = path;
    }

    /// <summary>Gets the JSON path of the bad value, such as <c>$.distance_km</c>, when known.</summary>
    public string? Path { get; }
}
