using Microsoft.AspNetCore.Http;

namespace LyftServing.AspNetCore.Internal;

/// <summary>One kind of error: its stable <c>type</c> URI, HTTP status and title.</summary>
internal sealed class ProblemKind(string type, int status, string title)
{
    public string Type { get; } = type;

    public int Status { get; } = status;

    public string Title { get; } = title;
}

/// <summary>Every kind of error the endpoints answer with (see <see cref="ModelServingProblemTypes"/>).</summary>
internal static class Problems
{
    /// <summary>The name rule (<see cref="ModelNames.Pattern"/>) in words, for the details of invalid model and version names.</summary>
    public static readonly string NameRule =
        $"use 1 to {ModelNames.MaxLength} lowercase letters, digits, '_', '.' and '-', starting with a letter or digit";

    public static readonly ProblemKind EmptyBody = new(ModelServingProblemTypes.EmptyBody, StatusCodes.Status400BadRequest, "The request body is empty.");
    public static readonly ProblemKind InvalidJson = new(ModelServingProblemTypes.InvalidJson, StatusCodes.Status400BadRequest, "The request body is not valid JSON.");
    public static readonly ProblemKind JsonTooDeep = new(ModelServingProblemTypes.JsonTooDeep, StatusCodes.Status400BadRequest, "The request body nests too deeply.");
    public static readonly ProblemKind InvalidRequest = new(ModelServingProblemTypes.InvalidRequest, StatusCodes.Status400BadRequest, "The request is not valid.");
    public static readonly ProblemKind InvalidFeatures = new(ModelServingProblemTypes.InvalidFeatures, StatusCodes.Status400BadRequest, "The features do not fit the model.");
    public static readonly ProblemKind Unauthorized = new(ModelServingProblemTypes.Unauthorized, StatusCodes.Status401Unauthorized, "Authentication is required.");
    public static readonly ProblemKind Forbidden = new(ModelServingProblemTypes.Forbidden, StatusCodes.Status403Forbidden, "The caller is not allowed to do this.");
    public static readonly ProblemKind ModelNotFound = new(ModelServingProblemTypes.ModelNotFound, StatusCodes.Status404NotFound, "The model is not served here.");
    public static readonly ProblemKind ModelVersionNotFound = new(ModelServingProblemTypes.ModelVersionNotFound, StatusCodes.Status404NotFound, "The model version is not loaded.");
    public static readonly ProblemKind NoTensorSignature = new(ModelServingProblemTypes.NoTensorSignature, StatusCodes.Status400BadRequest, "The model takes no named tensors.");
    public static readonly ProblemKind MethodNotAllowed = new(ModelServingProblemTypes.MethodNotAllowed, StatusCodes.Status405MethodNotAllowed, "The HTTP method is not allowed here.");
    public static readonly ProblemKind PayloadTooLarge = new(ModelServingProblemTypes.PayloadTooLarge, StatusCodes.Status413PayloadTooLarge, "The request body is too large.");
    public static readonly ProblemKind NothingToRollBackTo = new(ModelServingProblemTypes.NothingToRollBackTo, StatusCodes.Status409Conflict, "There is no earlier version to roll back to.");
    public static readonly ProblemKind VersionIsPrimary = new(ModelServingProblemTypes.VersionIsPrimary, StatusCodes.Status409Conflict, "The version is the primary.");
    public static readonly ProblemKind ModelCannotBeUnloaded = new(ModelServingProblemTypes.ModelCannotBeUnloaded, StatusCodes.Status409Conflict, "A served model keeps its primary version.");
    public static readonly ProblemKind UnsupportedMediaType = new(ModelServingProblemTypes.UnsupportedMediaType, StatusCodes.Status415UnsupportedMediaType, "The request body must be JSON.");
    public static readonly ProblemKind VersionLoadFailed = new(ModelServingProblemTypes.VersionLoadFailed, StatusCodes.Status422UnprocessableEntity, "The version failed to load or failed its self-tests.");
    public static readonly ProblemKind ModelError = new(ModelServingProblemTypes.ModelError, StatusCodes.Status500InternalServerError, "The model failed.");
    public static readonly ProblemKind OperationFailed = new(ModelServingProblemTypes.OperationFailed, StatusCodes.Status500InternalServerError, "The operation failed.");
    public static readonly ProblemKind StoreUnavailable = new(ModelServingProblemTypes.StoreUnavailable, StatusCodes.Status503ServiceUnavailable, "The model store could not record the decision.");
    public static readonly ProblemKind ModelNotReady = new(ModelServingProblemTypes.ModelNotReady, StatusCodes.Status503ServiceUnavailable, "The model is not ready.");
    public static readonly ProblemKind ModelOverloaded = new(ModelServingProblemTypes.ModelOverloaded, StatusCodes.Status503ServiceUnavailable, "The model is overloaded.");
    public static readonly ProblemKind Timeout = new(ModelServingProblemTypes.Timeout, StatusCodes.Status504GatewayTimeout, "The model did not answer in time.");
}
