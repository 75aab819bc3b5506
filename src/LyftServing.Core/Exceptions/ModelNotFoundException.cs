namespace LyftServing;

/// <summary>No model, or no loaded version of a model, has the requested name.</summary>
public sealed class ModelNotFoundException : ModelServingException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelName">The requested model.</param>
    /// <param name="version">The requested version, when the model exists but the version is not loaded.</param>
    /// <param name="message">The message; a default naming the model and version is used when <see langword="null"/>.</param>
    public ModelNotFoundException(string modelName, string? version = null, string? message = null)
        : base(modelName, message ?? (version is null
            ? $"No model named '{modelName}' is served here."
            : $"Model '{modelName}' has no loaded version '{version}'."))
    {
        Version = version;
    }

    /// <summary>Gets the requested version, when the model exists but that version is not loaded.</summary>
    public string? Version { get; }
}
