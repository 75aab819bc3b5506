using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace LyftServing.AspNetCore.Internal;

/// <summary>
/// <c>POST /infer</c>: reads the body once through the request's pipe (bounded by the size
/// limit), parses it into a pooled <see cref="JsonDocument"/>, calls the model's JSON client and
/// writes the answer with <see cref="Utf8JsonWriter"/>. Every rejection is a problem details answer.
/// </summary>
/// <remarks>One instance per mapped group; thread-safe (no per-request state in fields).</remarks>
internal sealed class InferEndpoint
{
    private const string ExampleRequest = "{\"model_id\": \"driver_eta\", \"features\": {...}}";
    private const int MaxEchoedLength = 64;

    /// <summary>Where the features are in a request: the root of every path in a features error.</summary>
    private const string FeaturesPath = "$.features";

    private static readonly JsonWriterOptions ResponseWriterOptions = new()
    {
        Encoder = ProblemWriter.WriterOptions.Encoder,
        SkipValidation = true,
    };

    private readonly IModelProvider _models;
    private readonly ILogger _logger;
    private readonly long _maxBodySize;
    private readonly int _maxDepth;
    private readonly int _retryAfterSeconds;
    private readonly string _retryAfter;
    private readonly string _inferPath;
    private readonly string _modelsPath;
    private readonly JsonDocumentOptions _documentOptions;

    public InferEndpoint(IModelProvider models, ILogger logger, ModelServingHttpOptions options, string prefix)
    {
        _models = models;
        _logger = logger;
        _maxBodySize = options.MaxRequestBodySize;
        _maxDepth = options.MaxDepth;
        _retryAfterSeconds = (int)Math.Ceiling(options.RetryAfter.TotalSeconds);
        _retryAfter = _retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        _inferPath = prefix + "/infer";
        _modelsPath = prefix + "/models";
        _documentOptions = new JsonDocumentOptions { MaxDepth = options.MaxDepth };
    }

    /// <summary>Answers what the documented POST endpoint does not match: POSTs with another content type, and other methods.</summary>
    public Task HandleUnmatchedAsync(HttpContext context)
    {
        if (HttpMethods.IsPost(context.Request.Method))
        {
            return InferAsync(context);
        }

        context.Response.Headers.Allow = HttpMethods.Post;
        return RejectAsync(
            context,
            Problems.MethodNotAllowed,
            $"{Echo(context.Request.Method)} is not allowed on {_inferPath}: send POST {_inferPath} with a JSON body such as {ExampleRequest}.");
    }

    public async Task InferAsync(HttpContext context)
    {
        var request = context.Request;
        if (!IsJson(request.ContentType))
        {
            await RejectAsync(
                context,
                Problems.UnsupportedMediaType,
                request.ContentType is null
                    ? "The request has no Content-Type: send the body as UTF-8 JSON with 'Content-Type: application/json'."
                    : $"The content type '{Echo(request.ContentType)}' is not accepted: send the body as UTF-8 JSON with 'Content-Type: application/json'.").ConfigureAwait(false);
            return;
        }

        if (request.ContentLength > _maxBodySize)
        {
            await RejectTooLargeAsync(context).ConfigureAwait(false);
            return;
        }

        var reader = request.BodyReader;
        ReadResult read;
        try
        {
            while (true)
            {
                read = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
                if (read.Buffer.Length > _maxBodySize)
                {
                    reader.AdvanceTo(read.Buffer.End);
                    await RejectTooLargeAsync(context).ConfigureAwait(false);
                    return;
                }

                if (read.IsCompleted || read.IsCanceled)
                {
                    break;
                }

                // Nothing consumed yet: the body is parsed in one piece once it is complete.
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            await OnCancelledAsync(context, modelId: null).ConfigureAwait(false);
            return;
        }
        catch (BadHttpRequestException ex)
        {
            // The server could not read the body (incomplete, malformed chunks, its own size limit).
            await RejectAsync(
                context,
                ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? Problems.PayloadTooLarge : Problems.InvalidRequest,
                ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? $"The request body is larger than this server accepts ({_maxBodySize} bytes at most)."
                    : "The request body could not be read completely: send the whole body, with a Content-Length that matches it.").ConfigureAwait(false);
            return;
        }

        if (read.IsCanceled)
        {
            reader.AdvanceTo(read.Buffer.End);
            await OnCancelledAsync(context, modelId: null).ConfigureAwait(false);
            return;
        }

        // The document may read the pipe's memory directly: consume the body only when done with it.
        try
        {
            await InferCoreAsync(context, read.Buffer).ConfigureAwait(false);
        }
        finally
        {
            reader.AdvanceTo(read.Buffer.End);
        }
    }

    private async Task InferCoreAsync(HttpContext context, ReadOnlySequence<byte> body)
    {
        if (body.IsEmpty)
        {
            await RejectAsync(context, Problems.EmptyBody, $"Send a JSON object such as {ExampleRequest}.").ConfigureAwait(false);
            return;
        }

        // The reader checks UTF-8 only where it must; strings would fail later, deep in binding.
        if (!IsValidUtf8(body))
        {
            await RejectAsync(context, Problems.InvalidJson, $"The request body is not valid UTF-8: send one UTF-8 JSON object such as {ExampleRequest}.").ConfigureAwait(false);
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, _documentOptions);
        }
        catch (JsonException ex)
        {
            await RejectInvalidJsonAsync(context, body, ex).ConfigureAwait(false);
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                await RejectAsync(context, Problems.InvalidRequest, $"The request body must be a JSON object such as {ExampleRequest}, not {Describe(root.ValueKind)}.").ConfigureAwait(false);
                return;
            }

            JsonElement modelIdElement = default, versionElement = default, features = default;
            foreach (var property in root.EnumerateObject())
            {
                string? duplicate = null;
                if (property.NameEquals("model_id"u8))
                {
                    duplicate = modelIdElement.ValueKind == JsonValueKind.Undefined ? null : "model_id";
                    modelIdElement = property.Value;
                }
                else if (property.NameEquals("features"u8))
                {
                    duplicate = features.ValueKind == JsonValueKind.Undefined ? null : "features";
                    features = property.Value;
                }
                else if (property.NameEquals("model_version"u8))
                {
                    duplicate = versionElement.ValueKind == JsonValueKind.Undefined ? null : "model_version";
                    versionElement = property.Value;
                }
                else
                {
                    await RejectAsync(
                        context,
                        Problems.InvalidRequest,
                        $"'{Echo(property.Name)}' is not a field of an inference request: send only model_id, features and optionally model_version.").ConfigureAwait(false);
                    return;
                }

                if (duplicate is not null)
                {
                    await RejectAsync(context, Problems.InvalidRequest, $"'{duplicate}' appears more than once: send it once.").ConfigureAwait(false);
                    return;
                }
            }

            string? version = null;
            var problem = ReadModelId(modelIdElement, out var modelId);
            if (problem is null)
            {
                problem = ReadVersion(versionElement, out version);
            }

            if (problem is null && features.ValueKind == JsonValueKind.Undefined)
            {
                problem = "The request has no 'features': send the model's features as JSON, for example \"features\": {...}.";
            }

            if (problem is not null)
            {
                await RejectAsync(context, Problems.InvalidRequest, problem, modelId).ConfigureAwait(false);
                return;
            }

            if (!_models.TryGetJsonClient(modelId!, out var client))
            {
                await RejectAsync(context, Problems.ModelNotFound, $"No model named '{modelId}' is served here: GET {_modelsPath} lists the served models.", modelId).ConfigureAwait(false);
                return;
            }

            // The resource before the body: an unknown version is a 404 whatever the features are.
            if (version is not null && !client.HasVersion(version))
            {
                await OnModelFailedAsync(context, new ModelNotFoundException(modelId!, version), modelId!, version).ConfigureAwait(false);
                return;
            }

            JsonPrediction prediction;
            try
            {
                var pending = client.PredictAsync(features, version, FeaturesPath, context.RequestAborted);
                prediction = pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                await OnModelFailedAsync(context, ex, modelId!, version).ConfigureAwait(false);
                return;
            }

            if (TimedOut(context))
            {
                // The answer came after the request's deadline: the caller was promised a bounded wait.
                await RejectAsync(context, Problems.Timeout, TimeoutDetail(modelId!), modelId, prediction.ModelVersion).ConfigureAwait(false);
                return;
            }

            await WriteAnswerAsync(context, prediction).ConfigureAwait(false);
        }
    }

    private async Task WriteAnswerAsync(HttpContext context, JsonPrediction prediction)
    {
        using var buffer = new PooledBufferWriter(256);
        try
        {
            using var writer = new Utf8JsonWriter(buffer, ResponseWriterOptions);
            writer.WriteStartObject();
            writer.WriteString("model_id"u8, prediction.ModelName);
            writer.WriteString("model_version"u8, prediction.ModelVersion);
            writer.WritePropertyName("output"u8);
            prediction.WriteOutput(writer);
            writer.WriteEndObject();
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            // For example NaN or infinity in a double output: the model answered, but not in JSON.
            var traceId = ProblemWriter.TraceId(context);
            Log.OutputNotWritable(_logger, prediction.ModelName, prediction.ModelVersion, traceId, ex);
            await ProblemWriter.WriteAsync(
                context,
                Problems.ModelError,
                $"Model '{prediction.ModelName}' version '{prediction.ModelVersion}' produced an output that cannot be written as JSON. The error is logged on the server under this traceId.",
                prediction.ModelName,
                prediction.ModelVersion).ConfigureAwait(false);
            return;
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
    }

    private Task OnModelFailedAsync(HttpContext context, Exception exception, string modelId, string? version)
    {
        if (exception is OperationCanceledException)
        {
            return OnCancelledAsync(context, modelId);
        }

        var kind = ExceptionProblems.Classify(exception);
        if (kind is null)
        {
            var traceId = ProblemWriter.TraceId(context);
            Log.ModelFailed(_logger, modelId, traceId, exception);
            return ProblemWriter.WriteAsync(
                context,
                Problems.ModelError,
                $"Model '{modelId}' failed while predicting. The error is logged on the server under this traceId; the request may succeed with other features or after a fix of the model.",
                modelId,
                version);
        }

        if (exception is ModelFeaturesException features)
        {
            // Binding and tensor checks name paths in the request already (the client was given the
            // features' path); model code names them from the features' root.
            var inRequest = features.WithPathRoot(FeaturesPath);
            return RejectAsync(context, kind, inRequest.Message, modelId, version, inRequest.Path);
        }

        // An overloaded model says when to retry (its Limits:RetryAfter); otherwise the HTTP option.
        var retryAfterSeconds = exception is ModelOverloadedException overloaded
            ? Math.Max(1, (int)Math.Ceiling(overloaded.RetryAfter.TotalSeconds))
            : _retryAfterSeconds;
        if (kind.Status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = retryAfterSeconds == _retryAfterSeconds
                ? _retryAfter
                : retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Log.ModelUnavailable(_logger, modelId, kind.Status, kind.Type);
        }

        var message = kind == Problems.ModelVersionNotFound
            ? $"Model '{modelId}' has no loaded version '{version}': omit model_version to call the primary version; GET {_modelsPath}/{modelId} lists the loaded versions."
            : kind == Problems.ModelNotFound
            ? $"No model named '{modelId}' is served here: GET {_modelsPath} lists the served models."
            : kind == Problems.ModelNotReady
            ? $"Model '{modelId}' has no version ready to serve (it is loading, failed to load, or the service is stopping): retry in {_retryAfterSeconds} s; GET {_modelsPath}/{modelId} shows its state."
            : kind == Problems.ModelOverloaded
            ? $"Model '{modelId}' is at its limit of concurrent calls: retry in {retryAfterSeconds} s."
            : TimeoutDetail(modelId);
        return RejectAsync(context, kind, message, modelId, version);
    }

    private Task OnCancelledAsync(HttpContext context, string? modelId)
    {
        if (TimedOut(context))
        {
            return RejectAsync(context, Problems.Timeout, TimeoutDetail(modelId), modelId);
        }

        // The caller is gone: nothing to answer, nothing further to spend on it.
        Log.RequestAborted(_logger);
        return Task.CompletedTask;
    }

    private Task RejectTooLargeAsync(HttpContext context) =>
        RejectAsync(context, Problems.PayloadTooLarge, $"The request body is larger than the limit of {_maxBodySize} bytes: send a smaller request.");

    private Task RejectInvalidJsonAsync(HttpContext context, ReadOnlySequence<byte> body, JsonException exception)
    {
        var (path, tooDeep, namedNumber) = JsonErrorLocator.Locate(body, _maxDepth);
        if (tooDeep)
        {
            return RejectAsync(
                context,
                Problems.JsonTooDeep,
                $"The request body nests JSON objects and arrays deeper than {_maxDepth} levels (the request object counts as one) at '{path}': flatten the features.",
                path: path);
        }

        var where = exception.LineNumber is { } line && exception.BytePositionInLine is { } position
            ? $" at '{path}' (line {line + 1}, byte {position + 1})"
            : $" at '{path}'";
        var hint = namedNumber ? " NaN and Infinity are not JSON numbers: send finite numbers." : string.Empty;
        return RejectAsync(context, Problems.InvalidJson, $"The request body is not valid JSON: the first error is{where}.{hint} Send one UTF-8 JSON object such as {ExampleRequest}.", path: path);
    }

    private Task RejectAsync(HttpContext context, ProblemKind kind, string detail, string? modelId = null, string? version = null, string? path = null)
    {
        Log.RequestRejected(_logger, kind.Status, kind.Type, detail);
        return ProblemWriter.WriteAsync(context, kind, detail, modelId, version, path);
    }

    private static string TimeoutDetail(string? modelId) =>
        modelId is null
            ? "The request did not complete within its time limit: retry, or send it when the service is less busy."
            : $"Model '{modelId}' did not answer within the request's time limit: retry, or send the request when the service is less busy.";

    private static string? ReadModelId(JsonElement element, out string? modelId)
    {
        modelId = null;
        switch (element.ValueKind)
        {
            case JsonValueKind.Undefined:
                return "The request has no 'model_id': name the model to call, for example \"model_id\": \"driver_eta\".";
            case JsonValueKind.String:
                var value = element.GetString()!;
                if (value.Length == 0)
                {
                    return "'model_id' is empty: name the model to call, for example \"model_id\": \"driver_eta\".";
                }

                if (!ModelNames.IsValid(value))
                {
                    return $"'model_id' is not a valid model name: {Problems.NameRule}.";
                }

                modelId = value;
                return null;
            default:
                return $"'model_id' must be a string (a model name such as \"driver_eta\"), not {Describe(element.ValueKind)}.";
        }
    }

    private static string? ReadVersion(JsonElement element, out string? version)
    {
        version = null;
        switch (element.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                var value = element.GetString()!;
                if (!ModelNames.IsValid(value))
                {
                    return $"'model_version' is not a valid version name: {Problems.NameRule}, or leave it out to call the primary version.";
                }

                version = value;
                return null;
            default:
                return $"'model_version' must be a string (a version such as \"7\"), not {Describe(element.ValueKind)}; leave it out to call the primary version.";
        }
    }

    private static bool IsValidUtf8(ReadOnlySequence<byte> body)
    {
        if (body.IsSingleSegment)
        {
            return Utf8.IsValid(body.FirstSpan);
        }

        var length = (int)body.Length;
        var copy = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            body.CopyTo(copy);
            return Utf8.IsValid(copy.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private static bool IsJson(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }

        if (string.Equals(contentType, "application/json", StringComparison.OrdinalIgnoreCase)
            || string.Equals(contentType, "application/json; charset=utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }

        var type = media.MediaType;
        var json = type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
        var charset = media.Charset;
        return json && (!charset.HasValue
            || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));
    }

    private static bool TimedOut(HttpContext context) =>
        context.Features.Get<IHttpRequestTimeoutFeature>() is { RequestTimeoutToken.IsCancellationRequested: true };

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>Shortens text from the request before it is echoed in an answer.</summary>
    private static string Echo(string value) =>
        value.Length <= MaxEchoedLength ? value : string.Concat(value.AsSpan(0, MaxEchoedLength), "…");
}
