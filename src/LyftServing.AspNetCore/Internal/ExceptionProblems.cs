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
        ModelOverloadedException => Problems.ModelOverloaded,
        ModelTimeoutException => Problems.Timeout,
        _ => null,
    };
}
