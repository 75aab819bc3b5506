using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LyftServing.AspNetCore.Internal;

/// <summary>
/// <c>POST /infer</c>: the LyftLearn-style request <c>{"model_id", "model_version"?, "features"}</c>,
/// read by the shared <see cref="JsonRequestReader"/>, resolved by the shared <see cref="ModelResolver"/>,
/// answered with the model's JSON output; every rejection a problem details answer from the shared
/// <see cref="ExceptionProblems"/>.
/// </summary>
/// <remarks>One instance per mapped group; thread-safe (no per-request state in fields).</remarks>
internal sealed class InferEndpoint
{
    /// <summary>Where the features are in a request: the root of every path in a features error.</summary>
    public const string FeaturesPath = "$.features";

    private const string ExampleRequest = "{\"model_id\": \"driver_eta\", \"features\": {...}}";

    private static readonly RequestShape Shape = new(ExampleRequest, "flatten the features");

    private readonly ModelResolver _resolver;
    private readonly JsonRequestReader _reader;
    private readonly ExceptionProblems _exceptions;
    private readonly ErrorResponder _errors;
    private readonly ILogger _logger;
    private readonly ModelLinks _links;
    private readonly string _inferPath;

    public InferEndpoint(ModelResolver resolver, JsonRequestReader reader, ExceptionProblems exceptions, ErrorResponder errors, ILogger logger, string prefix)
    {
        _resolver = resolver;
        _reader = reader;
        _exceptions = exceptions;
        _errors = errors;
        _logger = logger;
        _inferPath = prefix + "/infer";
        _links = new ModelLinks(prefix + "/models", "omit model_version to call the primary version", TraceIdInBody: true);
    }

    /// <summary>Answers what the documented POST endpoint does not match: POSTs with another content type, and other methods.</summary>
    public Task HandleUnmatchedAsync(HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method)
            ? InferAsync(context)
            : _errors.WriteAsync(context, new HttpProblem(
                Problems.MethodNotAllowed,
                $"{JsonRequestReader.Echo(context.Request.Method)} is not allowed on {_inferPath}: send POST {_inferPath} with a JSON body such as {ExampleRequest}.")
            { Allow = HttpMethods.Post });

    public async Task InferAsync(HttpContext context)
    {
        using var request = await _reader.ReadAsync(context, Shape).ConfigureAwait(false);
        if (request.Document is not { } document)
        {
            if (request.Problem is { } rejected)
            {
                await _errors.WriteAsync(context, rejected).ConfigureAwait(false);
            }

            return;
        }

        var problem = ReadRequest(document.RootElement, out var modelId, out var version, out var features);
        IJsonModelClient? client = null;
        problem ??= _resolver.Find(modelId!, version, _links, out client);
        if (problem is not null)
        {
            await _errors.WriteAsync(context, problem).ConfigureAwait(false);
            return;
        }

        JsonPrediction prediction;
        try
        {
            var pending = client!.PredictAsync(features, version, FeaturesPath, context.RequestAborted);
            prediction = pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (_exceptions.ForCall(context, ex, modelId!, version, _links, FeaturesPath) is { } failed)
            {
                await _errors.WriteAsync(context, failed).ConfigureAwait(false);
            }

            return;
        }

        if (JsonRequestReader.TimedOut(context))
        {
            // The answer came after the request's deadline: the caller was promised a bounded wait.
            await _errors.WriteAsync(context, ExceptionProblems.TimedOut(modelId) with { Version = prediction.ModelVersion }).ConfigureAwait(false);
            return;
        }

        await WriteAnswerAsync(context, prediction).ConfigureAwait(false);
    }

    /// <summary>Reads the request's fields: each once, no others, <c>model_id</c> and <c>features</c> required.</summary>
    private static HttpProblem? ReadRequest(JsonElement root, out string? modelId, out string? version, out JsonElement features)
    {
        modelId = version = null;
        features = default;
        JsonElement modelIdElement = default, versionElement = default;
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
                return new HttpProblem(
                    Problems.InvalidRequest,
                    $"'{JsonRequestReader.Echo(property.Name)}' is not a field of an inference request: send only model_id, features and optionally model_version.");
            }

            if (duplicate is not null)
            {
                return new HttpProblem(Problems.InvalidRequest, $"'{duplicate}' appears more than once: send it once.");
            }
        }

        var problem = ReadModelId(modelIdElement, out modelId) ?? ReadVersion(versionElement, out version);
        if (problem is null && features.ValueKind == JsonValueKind.Undefined)
        {
            problem = "The request has no 'features': send the model's features as JSON, for example \"features\": {...}.";
        }

        return problem is null ? null : new HttpProblem(Problems.InvalidRequest, problem, modelId);
    }

    private async Task WriteAnswerAsync(HttpContext context, JsonPrediction prediction)
    {
        using var buffer = new PooledBufferWriter(256);
        try
        {
            using var writer = new Utf8JsonWriter(buffer, ProblemWriter.WriterOptions);
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
            await _errors.WriteAsync(context, OutputNotWritable(context, _logger, prediction, ex, _links)).ConfigureAwait(false);
            return;
        }

        await JsonAnswer.WriteAsync(context, StatusCodes.Status200OK, buffer).ConfigureAwait(false);
    }

    /// <summary>The model answered, but its output cannot be written (NaN or infinity in JSON): a 500, the cause logged.</summary>
    public static HttpProblem OutputNotWritable(HttpContext context, ILogger logger, JsonPrediction prediction, Exception exception, ModelLinks links)
    {
        var traceId = ProblemWriter.TraceId(context);
        Log.OutputNotWritable(logger, prediction.ModelName, prediction.ModelVersion, traceId, exception);
        return new HttpProblem(
            Problems.ModelError,
            $"Model '{prediction.ModelName}' version '{prediction.ModelVersion}' produced an output that cannot be written as JSON. The error is logged on the server under {links.TraceIdReference(traceId)}.",
            prediction.ModelName,
            prediction.ModelVersion);
    }

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
                return $"'model_id' must be a string (a model name such as \"driver_eta\"), not {JsonRequestReader.Describe(element.ValueKind)}.";
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
                return $"'model_version' must be a string (a version such as \"7\"), not {JsonRequestReader.Describe(element.ValueKind)}; leave it out to call the primary version.";
        }
    }
}
