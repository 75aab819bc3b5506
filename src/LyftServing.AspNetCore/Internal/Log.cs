using Microsoft.Extensions.Logging;

namespace LyftServing.AspNetCore.Internal;

internal static partial class Log
{
    [LoggerMessage(EventIds.RequestRejected, LogLevel.Debug, "Inference request rejected with {StatusCode} ({ProblemType}): {Detail}")]
    public static partial void RequestRejected(ILogger logger, int statusCode, string problemType, string detail);

    [LoggerMessage(EventIds.ModelFailed, LogLevel.Error, "Model '{ModelName}' failed while predicting; answered 500 (trace id {TraceId})")]
    public static partial void ModelFailed(ILogger logger, string modelName, string traceId, Exception exception);

    [LoggerMessage(EventIds.RequestAborted, LogLevel.Debug, "Inference request aborted by the client; nothing was answered")]
    public static partial void RequestAborted(ILogger logger);

    [LoggerMessage(EventIds.OutputNotWritable, LogLevel.Error, "The output of model '{ModelName}' version '{ModelVersion}' could not be written as JSON; answered 500 (trace id {TraceId})")]
    public static partial void OutputNotWritable(ILogger logger, string modelName, string modelVersion, string traceId, Exception exception);

    [LoggerMessage(EventIds.ModelUnavailable, LogLevel.Debug, "Model '{ModelName}' could not take a call; answered {StatusCode} ({ProblemType})")]
    public static partial void ModelUnavailable(ILogger logger, string modelName, int statusCode, string problemType);

    [LoggerMessage(EventIds.OperationFailed, LogLevel.Error, "The {Action} of model '{ModelName}' failed; answered 500 (trace id {TraceId})")]
    public static partial void OperationFailed(ILogger logger, string action, string modelName, string traceId, Exception exception);

    [LoggerMessage(EventIds.AdminAction, LogLevel.Information, "{User} asked for the {Action} of model '{ModelName}' (version {ModelVersion}): answered {StatusCode}")]
    public static partial void AdminAction(ILogger logger, string user, string action, string modelName, string? modelVersion, int statusCode);
}
