using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace LyftServing.AspNetCore.Internal;

/// <summary>Writes RFC 7807 problem details (<c>application/problem+json</c>) with Utf8JsonWriter.</summary>
internal static class ProblemWriter
{
    public const string ContentType = "application/problem+json";

    // The answers are JSON, never HTML, so quotes and '<' need no escaping: details stay readable.
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    public static async Task WriteAsync(
        HttpContext context,
        ProblemKind kind,
        string detail,
        string? modelId = null,
        string? modelVersion = null,
        string? path = null)
    {
        var response = context.Response;
        response.StatusCode = kind.Status;
        response.ContentType = ContentType;
        using var buffer = new PooledBufferWriter(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, kind.Type);
            writer.WriteString("title"u8, kind.Title);
            writer.WriteNumber("status"u8, kind.Status);
            writer.WriteString("detail"u8, detail);
            if (modelId is not null)
            {
                writer.WriteString("model_id"u8, modelId);
            }

            if (modelVersion is not null)
            {
                writer.WriteString("model_version"u8, modelVersion);
            }

            if (path is not null)
            {
                writer.WriteString("path"u8, path);
            }

            writer.WriteString("traceId"u8, Activity.Current?.Id ?? context.TraceIdentifier);
            writer.WriteEndObject();
        }

        response.ContentLength = buffer.WrittenCount;
        // No cancellation: a write to an aborted connection completes quietly, and a throw would be logged as an error.
        await response.Body.WriteAsync(buffer.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
    }

    public static string TraceId(HttpContext context) => Activity.Current?.Id ?? context.TraceIdentifier;
}
