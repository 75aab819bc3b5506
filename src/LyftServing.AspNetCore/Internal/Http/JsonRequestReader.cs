using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Net.Http.Headers;

namespace LyftServing.AspNetCore.Internal;

/// <summary>
/// The one reader of JSON request bodies for every protocol (<c>/infer</c>, the Open Inference
/// Protocol, the admin endpoints): checks the content type, reads the body once through the
/// request's pipe bounded by <see cref="ModelServingHttpOptions.MaxRequestBodySize"/>, checks UTF-8
/// and parses it into a pooled <see cref="JsonDocument"/> no deeper than <see cref="ModelServingHttpOptions.MaxDepth"/>.
/// Every rejection is an <see cref="HttpProblem"/> the caller writes in its protocol's format.
/// </summary>
/// <remarks>Thread-safe: no per-request state in fields.</remarks>
internal sealed class JsonRequestReader(ModelServingHttpOptions options)
{
    private const int MaxEchoedLength = 64;

    private readonly long _maxBodySize = options.MaxRequestBodySize;
    private readonly int _maxDepth = options.MaxDepth;
    private readonly JsonDocumentOptions _documentOptions = new() { MaxDepth = options.MaxDepth };

    public long MaxBodySize => _maxBodySize;

    /// <summary>Reads and parses the body.</summary>
    /// <param name="context">The request.</param>
    /// <param name="shape">What the protocol's requests look like, for the details of rejections.</param>
    /// <param name="optional">Whether an empty body (or none) is a request without options rather than an error.</param>
    /// <returns>The parsed body, a problem, or neither when the caller is gone; dispose it when done with the document.</returns>
    public async ValueTask<JsonRequest> ReadAsync(HttpContext context, RequestShape shape, bool optional = false)
    {
        var request = context.Request;
        if (optional && request.ContentLength is null or 0 && request.ContentType is null)
        {
            return JsonRequest.Empty;
        }

        if (!IsJson(request.ContentType))
        {
            return new(new HttpProblem(
                Problems.UnsupportedMediaType,
                request.ContentType is null
                    ? "The request has no Content-Type: send the body as UTF-8 JSON with 'Content-Type: application/json'."
                    : $"The content type '{Echo(request.ContentType)}' is not accepted: send the body as UTF-8 JSON with 'Content-Type: application/json'."));
        }

        if (request.ContentLength > _maxBodySize)
        {
            return new(TooLarge());
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
                    return new(TooLarge());
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
            return Cancelled(context);
        }
        catch (BadHttpRequestException ex)
        {
            // The server could not read the body (incomplete, malformed chunks, its own size limit).
            return new(ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? new HttpProblem(Problems.PayloadTooLarge, $"The request body is larger than this server accepts ({_maxBodySize} bytes at most).")
                : new HttpProblem(Problems.InvalidRequest, "The request body could not be read completely: send the whole body, with a Content-Length that matches it."));
        }

        if (read.IsCanceled)
        {
            reader.AdvanceTo(read.Buffer.End);
            return Cancelled(context);
        }

        var body = read.Buffer;
        var problem = body.IsEmpty
            ? (optional ? null : new HttpProblem(Problems.EmptyBody, $"Send a JSON object such as {shape.Example}."))
            : !IsValidUtf8(body)
            ? new HttpProblem(Problems.InvalidJson, $"The request body is not valid UTF-8: send one UTF-8 JSON object such as {shape.Example}.")
            : null;
        if (problem is not null || body.IsEmpty)
        {
            reader.AdvanceTo(body.End);
            return problem is null ? JsonRequest.Empty : new(problem);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, _documentOptions);
        }
        catch (JsonException ex)
        {
            var invalid = InvalidJson(body, ex, shape);
            reader.AdvanceTo(body.End);
            return new(invalid);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = Describe(document.RootElement.ValueKind);
            document.Dispose();
            reader.AdvanceTo(body.End);
            return new(new HttpProblem(Problems.InvalidRequest, $"The request body must be a JSON object such as {shape.Example}, not {kind}."));
        }

        // The document may read the pipe's memory directly: the body is consumed when the request is disposed.
        return new(document, reader, body.End);
    }

    /// <summary>The request's deadline passed (a request timeout on the endpoint): the caller was promised a bounded wait.</summary>
    public static bool TimedOut(HttpContext context) =>
        context.Features.Get<IHttpRequestTimeoutFeature>() is { RequestTimeoutToken.IsCancellationRequested: true };

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>Shortens text from the request before it is echoed in an answer.</summary>
    public static string Echo(string value) =>
        value.Length <= MaxEchoedLength ? value : string.Concat(value.AsSpan(0, MaxEchoedLength), "…");

    public static bool IsJson(string? contentType)
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

    private static JsonRequest Cancelled(HttpContext context) =>
        TimedOut(context) ? new(ExceptionProblems.TimedOut(modelId: null)) : JsonRequest.Aborted;

    private HttpProblem TooLarge() =>
        new(Problems.PayloadTooLarge, $"The request body is larger than the limit of {_maxBodySize} bytes: send a smaller request.");

    private HttpProblem InvalidJson(ReadOnlySequence<byte> body, JsonException exception, RequestShape shape)
    {
        var (path, tooDeep, namedNumber) = JsonErrorLocator.Locate(body, _maxDepth);
        if (tooDeep)
        {
            return new HttpProblem(
                Problems.JsonTooDeep,
                $"The request body nests JSON objects and arrays deeper than {_maxDepth} levels (the request object counts as one) at '{path}': {shape.TooDeepAdvice}.",
                Path: path);
        }

        var where = exception.LineNumber is { } line && exception.BytePositionInLine is { } position
            ? $" at '{path}' (line {line + 1}, byte {position + 1})"
            : $" at '{path}'";
        var hint = namedNumber ? " NaN and Infinity are not JSON numbers: send finite numbers." : string.Empty;
        return new HttpProblem(Problems.InvalidJson, $"The request body is not valid JSON: the first error is{where}.{hint} Send one UTF-8 JSON object such as {shape.Example}.", Path: path);
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
}

/// <summary>What a protocol's requests look like, for the details of rejections.</summary>
/// <param name="Example">A short example request body.</param>
/// <param name="TooDeepAdvice">What to do about JSON nested too deeply.</param>
internal sealed record RequestShape(string Example, string TooDeepAdvice);

/// <summary>
/// A request body read by <see cref="JsonRequestReader"/>: its document, or the problem to answer,
/// or neither when the caller is gone (nothing to answer). Disposing it releases the document and
/// consumes the body.
/// </summary>
internal sealed class JsonRequest : IDisposable
{
    public static readonly JsonRequest Empty = new();

    public static readonly JsonRequest Aborted = new() { IsAborted = true };

    private readonly PipeReader? _reader;
    private readonly SequencePosition _end;

    public JsonRequest(HttpProblem problem) => Problem = problem;

    public JsonRequest(JsonDocument document, PipeReader reader, SequencePosition end)
    {
        Document = document;
        _reader = reader;
        _end = end;
    }

    private JsonRequest()
    {
    }

    /// <summary>Gets the parsed body (an object), or <see langword="null"/> for an empty optional body, a problem or an aborted request.</summary>
    public JsonDocument? Document { get; }

    /// <summary>Gets the problem to answer, if the body was rejected.</summary>
    public HttpProblem? Problem { get; }

    /// <summary>Gets whether the caller is gone: nothing is to be answered.</summary>
    public bool IsAborted { get; private init; }

    public void Dispose()
    {
        Document?.Dispose();
        _reader?.AdvanceTo(_end);
    }
}
