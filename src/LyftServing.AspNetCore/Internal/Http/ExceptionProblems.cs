using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LyftServing.AspNetCore.Internal;

/// <summary>
/// The one mapping of exceptions to answers, for every protocol: a model call's exceptions
/// (features, not found, not ready, overloaded, timeout, the model's own failure) and an operator
/// action's (conflict, load failure, store failure). Details name the model and what to do next,
/// with links (<see cref="ModelLinks"/>) in the caller's protocol; the causes of 500s are logged,
/// never sent.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ExceptionProblems(ILogger logger, ModelServingHttpOptions options)
{
    private readonly int _retryAfterSeconds = Math.Max(1, (int)Math.Ceiling(options.RetryAfter.TotalSeconds));

    public static HttpProblem TimedOut(string? modelId) => new(
        Problems.Timeout,
        modelId is null
            ? "The request did not complete within its time limit: retry, or send it when the service is less busy."
            : $"Model '{modelId}' did not answer within the request's time limit: retry, or send the request when the service is less busy.",
        modelId);

    /// <summary>The answer to an exception of a model call, or <see langword="null"/> when the caller is gone (nothing to answer).</summary>
    /// <param name="context">The request.</param>
    /// <param name="exception">What the call threw.</param>
    /// <param name="modelId">The model called.</param>
    /// <param name="version">The version the request named, if any.</param>
    /// <param name="links">Where the caller's protocol lists models and versions.</param>
    /// <param name="featuresPath">Where the features are in the request, the root of paths in feature errors.</param>
    public HttpProblem? ForCall(HttpContext context, Exception exception, string modelId, string? version, ModelLinks links, string featuresPath)
    {
        switch (exception)
        {
            case OperationCanceledException:
                return Cancelled(context, modelId);
            case ModelFeaturesException features:
                // Binding and tensor checks name paths in the request already (the client was given the
                // features' path); model code names them from the features' root.
                var inRequest = features.WithPathRoot(featuresPath);
                return new HttpProblem(Problems.InvalidFeatures, inRequest.Message, modelId, version, inRequest.Path);
            case ModelNotFoundException { Version: { } missing }:
                return VersionNotFound(modelId, missing, links);
            case ModelNotFoundException:
                return NotFound(modelId, links);
            case ModelNotReadyException:
                return NotReady(modelId, version, links);
            case ModelOverloadedException overloaded:
                // An overloaded model says when to retry (its Limits:RetryAfter); otherwise the HTTP option.
                var retryAfter = Math.Max(1, (int)Math.Ceiling(overloaded.RetryAfter.TotalSeconds));
                Log.ModelUnavailable(logger, modelId, StatusCodes.Status503ServiceUnavailable, Problems.ModelOverloaded.Type);
                return new HttpProblem(Problems.ModelOverloaded, $"Model '{modelId}' is at its limit of concurrent calls: retry in {retryAfter} s.", modelId, version) { RetryAfterSeconds = retryAfter };
            case ModelTimeoutException:
                return TimedOut(modelId) with { Version = version };
            default:
                var traceId = ProblemWriter.TraceId(context);
                Log.ModelFailed(logger, modelId, traceId, exception);
                return new HttpProblem(
                    Problems.ModelError,
                    $"Model '{modelId}' failed while predicting. The error is logged on the server under {links.TraceIdReference(traceId)}; the request may succeed with other features or after a fix of the model.",
                    modelId,
                    version);
        }
    }

    /// <summary>The answer to an exception of an operator's action (<see cref="IModelManager"/>), or <see langword="null"/> when the caller is gone.</summary>
    public HttpProblem? ForOperation(HttpContext context, Exception exception, string action, string modelId, string? version, ModelLinks links) => exception switch
    {
        OperationCanceledException => Cancelled(context, modelId),
        ModelConflictException { Conflict: ModelConflict.NothingToRollBackTo } conflict => new(Problems.NothingToRollBackTo, $"{conflict.Message} Promote a version by name instead{links.ShowModel(modelId, "lists its versions")}.", modelId),
        ModelConflictException conflict => new(Problems.VersionIsPrimary, conflict.Message, modelId, conflict.Version),
        ModelNotFoundException { Version: { } missing } notFound => new(Problems.ModelVersionNotFound, $"{notFound.Message.TrimEnd('.')}{links.ShowModel(modelId, "lists its versions")}.", modelId, missing),
        ModelNotFoundException => NotFound(modelId, links),
        ModelLoadException load => new(Problems.VersionLoadFailed, $"{load.Message} The previous primary keeps serving.", modelId, load.Version ?? version),
        ModelStoreException store => new(Problems.StoreUnavailable, $"{store.Message} Nothing changed; retry when the store is back.", modelId, version) { RetryAfterSeconds = _retryAfterSeconds },
        _ => OperationFailed(context, exception, action, modelId, version, links),
    };

    /// <summary>The model has no version ready to serve: a 503 with <c>Retry-After</c>.</summary>
    public HttpProblem NotReady(string modelId, string? version, ModelLinks links)
    {
        Log.ModelUnavailable(logger, modelId, StatusCodes.Status503ServiceUnavailable, Problems.ModelNotReady.Type);
        return new HttpProblem(
            Problems.ModelNotReady,
            $"Model '{modelId}' has no version ready to serve (it is loading, failed to load, or the service is stopping): retry in {_retryAfterSeconds} s{links.ShowModel(modelId, "shows its state")}.",
            modelId,
            version) { RetryAfterSeconds = _retryAfterSeconds };
    }

    public static HttpProblem VersionNotFound(string modelId, string version, ModelLinks links) =>
        new(Problems.ModelVersionNotFound, $"Model '{modelId}' has no loaded version '{version}': {links.PrimaryAdvice}{links.ShowModel(modelId, "lists the loaded versions")}.", modelId, version);

    public static HttpProblem NotFound(string modelId, ModelLinks links) =>
        new(Problems.ModelNotFound, $"No model named '{modelId}' is served here{links.ListModels}.", modelId);

    private HttpProblem OperationFailed(HttpContext context, Exception exception, string action, string modelId, string? version, ModelLinks links)
    {
        var traceId = ProblemWriter.TraceId(context);
        Log.OperationFailed(logger, action, modelId, traceId, exception);
        return new HttpProblem(
            Problems.OperationFailed,
            $"The {action} of model '{modelId}' failed. The error is logged on the server under {links.TraceIdReference(traceId)}.",
            modelId,
            version);
    }

    private HttpProblem? Cancelled(HttpContext context, string modelId)
    {
        if (JsonRequestReader.TimedOut(context))
        {
            return TimedOut(modelId);
        }

        // The caller is gone: nothing to answer, nothing further to spend on it.
        Log.RequestAborted(logger);
        return null;
    }
}

/// <summary>Where a protocol shows models and versions, for the details of its answers.</summary>
/// <param name="ModelsPath">The path of the status view (<c>GET /models</c>), or <see langword="null"/> when the protocol has none.</param>
/// <param name="PrimaryAdvice">How to call the primary version instead of a named one.</param>
/// <param name="TraceIdInBody">Whether answers carry a <c>traceId</c> field (problem details do; the Open Inference Protocol's error object does not).</param>
internal sealed record ModelLinks(string? ModelsPath, string PrimaryAdvice, bool TraceIdInBody)
{
    /// <summary>", GET /models lists the served models" or nothing.</summary>
    public string ListModels => ModelsPath is null ? string.Empty : $": GET {ModelsPath} lists the served models";

    public string ShowModel(string modelId, string what) => ModelsPath is null ? string.Empty : $"; GET {ModelsPath}/{modelId} {what}";

    public string TraceIdReference(string traceId) =>
        TraceIdInBody ? "this traceId" : string.Create(CultureInfo.InvariantCulture, $"trace id {traceId}");
}
