using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LyftServing.AspNetCore.Internal;

/// <summary>Writes an <see cref="HttpProblem"/> in a protocol's error format, with its headers, and logs it.</summary>
internal abstract class ErrorResponder(ILogger logger)
{
    public Task WriteAsync(HttpContext context, HttpProblem problem)
    {
        var headers = context.Response.Headers;
        if (problem.RetryAfterSeconds is { } retryAfter)
        {
            headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        if (problem.Allow is { } allow)
        {
            headers.Allow = allow;
        }

        Log.RequestRejected(logger, problem.Kind.Status, problem.Kind.Type, problem.Detail);
        return WriteBodyAsync(context, problem);
    }

    protected abstract Task WriteBodyAsync(HttpContext context, HttpProblem problem);
}

/// <summary>RFC 7807 problem details (<c>/infer</c>, <c>/models</c>, the admin endpoints).</summary>
internal sealed class ProblemResponder(ILogger logger) : ErrorResponder(logger)
{
    protected override Task WriteBodyAsync(HttpContext context, HttpProblem problem) =>
        ProblemWriter.WriteAsync(context, problem.Kind, problem.Detail, problem.ModelId, problem.Version, problem.Path);
}

/// <summary>The Open Inference Protocol's error object: <c>{"error": "…"}</c> as <c>application/json</c>.</summary>
internal sealed class OpenInferenceErrorResponder(ILogger logger) : ErrorResponder(logger)
{
    protected override async Task WriteBodyAsync(HttpContext context, HttpProblem problem)
    {
        using var buffer = new PooledBufferWriter(256);
        using (var writer = new Utf8JsonWriter(buffer, ProblemWriter.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("error"u8, problem.Detail);
            writer.WriteEndObject();
        }

        await JsonAnswer.WriteAsync(context, problem.Kind.Status, buffer).ConfigureAwait(false);
    }
}
