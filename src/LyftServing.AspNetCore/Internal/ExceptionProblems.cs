namespace LyftServing.AspNetCore.Internal;

/// <summary>Maps the exceptions of a model call to the kind of error they are answered with.</summary>
internal static class ExceptionProblems
{
    /// <summary>Returns the kind of error for an exception of a model call, or <see langword="null"/> when the model itself failed (500).</summary>
    public static ProblemKind? Classify(Exception exception) => exception switch
    {
        ModelFeaturesException => Problems.InvalidFeatures,
        ModelNotFoundException { Version: not null } => Problems.ModelVersionNotFound,
        ModelNotFoundException => Problems.ModelNotFound,
        ModelNotReadyException => Problems.ModelNotReady,

        // Overload protection and call timeouts come to Core with its limits (issue 5). Until their
        // types exist they are recognised by name; when they land, each line becomes a type pattern.
        ModelServingException when IsNamed(exception, "ModelOverloadedException") => Problems.ModelOverloaded,
        ModelServingException when IsNamed(exception, "ModelTimeoutException") => Problems.Timeout,
        _ => null,
    };

    private static bool IsNamed(Exception exception, string name) =>
        string.Equals(exception.GetType().Name, name, StringComparison.Ordinal);
}
