using Microsoft.AspNetCore.Http;

namespace LyftServing.AspNetCore.Internal;

/// <summary>Sends a JSON answer written into a pooled buffer, with its <c>Content-Length</c>: every protocol's successes and the protocol's error object.</summary>
internal static class JsonAnswer
{
    public const string ContentType = "application/json; charset=utf-8";

    public static Task WriteAsync(HttpContext context, int status, PooledBufferWriter buffer)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = ContentType;
        response.ContentLength = buffer.WrittenCount;

        // No cancellation: a write to an aborted connection completes quietly, and a throw would be logged as an error.
        return response.Body.WriteAsync(buffer.WrittenMemory, CancellationToken.None).AsTask();
    }
}
