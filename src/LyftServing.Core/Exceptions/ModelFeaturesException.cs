namespace LyftServing;

/// <summary>Features given as JSON (or another untyped form) do not fit the model's features type.</summary>
/// <remarks>
/// The message is written for the caller who sent the features: it names the JSON path and what was
/// expected, never internal details. Model code names paths from the features' root (<c>$.distance_km</c>);
/// a transport that sent the features inside a larger document places them there with
/// <see cref="WithPathRoot"/> (the HTTP endpoint's <c>$.features.distance_km</c>). Errors of the
/// JSON binding and of tensor checks name paths in the caller's document already.
/// </remarks>
public sealed class ModelFeaturesException : ModelServingException
{
    private readonly string? _problem;
    private readonly string _root;

    /// <summary>Creates the exception.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="path">The JSON path of the bad value, such as <c>$.distance_km</c>, or <see langword="null"/>.</param>
    /// <param name="message">What is wrong and what was expected.</param>
    /// <param name="innerException">The cause, if any; not meant to be shown to callers.</param>
    public ModelFeaturesException(string modelName, string? path, string message, Exception? innerException = null)
        : this(modelName, path, message, problem: null, root: "$", innerException)
    {
    }

    internal ModelFeaturesException(string modelName, string? path, string message, string? problem, string root, Exception? innerException)
        : base(modelName, message, innerException)
    {
        Path = path;
        _problem = problem;
        _root = root;
    }

    /// <summary>Gets the JSON path of the bad value, such as <c>$.distance_km</c>, when known.</summary>
    public string? Path { get; }

    /// <summary>
    /// Creates the exception for a problem at a path, with the message <c>'{path}' {problem}</c>:
    /// <c>AtPath("eta", "$.stops", "must be 0 or more.")</c>. Unlike a free-form message, it names
    /// the right path when a transport places the features inside its document (<see cref="WithPathRoot"/>).
    /// </summary>
    /// <param name="modelName">The model.</param>
    /// <param name="path">The JSON path of the bad value from the features' root, such as <c>$.stops</c>.</param>
    /// <param name="problem">What is wrong, as the rest of a sentence about the path: <c>must be 0 or more.</c></param>
    /// <param name="innerException">The cause, if any; not meant to be shown to callers.</param>
    /// <returns>The exception.</returns>
    public static ModelFeaturesException AtPath(string modelName, string path, string problem, Exception? innerException = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(problem);
        return new ModelFeaturesException(modelName, path, $"'{path}' {problem}", problem, "$", innerException);
    }

    /// <summary>
    /// Places the path inside a larger document: <c>$.stops</c> under <c>$.features</c> is
    /// <c>$.features.stops</c>. A message made by <see cref="AtPath"/> names the new path; a free-form
    /// message is kept as it is. Errors already rooted there (binding, tensor checks) are returned as they are.
    /// </summary>
    /// <param name="root">Where the features are in the document, such as <c>$.features</c>.</param>
    /// <returns>The exception with its path in the document.</returns>
    public ModelFeaturesException WithPathRoot(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (Path is null || root == _root || !Path.StartsWith(_root, StringComparison.Ordinal))
        {
            return this;
        }

        var path = root + Path[_root.Length..];
        return new ModelFeaturesException(ModelName, path, _problem is null ? Message : $"'{path}' {_problem}", _problem, root, InnerException);
    }
}
