using System.Runtime.CompilerServices;
using Newtonsoft.Json.Linq;
using Snapshooter;
using Snapshooter.Xunit;

namespace LyftServing.AspNetCore.Tests.Infrastructure;

/// <summary>
/// Pins an HTTP answer (status, content type, Retry-After/Allow headers and the JSON body) with a
/// Snapshooter snapshot in <c>__snapshots__</c> beside the test file. The snapshot name comes from
/// the caller, so the helper may await.
/// </summary>
public static class ResponseSnapshot
{
    public static async Task<JObject> MatchAsync(
        HttpResponseMessage response,
        string? caseName = null,
        [CallerMemberName] string testName = "",
        [CallerFilePath] string testFile = "")
    {
        var text = await response.Content.ReadAsStringAsync();
        var snapshot = new JObject
        {
            ["status"] = (int)response.StatusCode,
            ["content_type"] = response.Content.Headers.ContentType?.ToString(),
        };
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            snapshot["retry_after"] = retryAfter.ToString();
        }

        if (response.Content.Headers.Allow.Count > 0)
        {
            snapshot["allow"] = string.Join(", ", response.Content.Headers.Allow);
        }

        var body = text.Length == 0 ? new JValue("") : JToken.Parse(text);
        if (body is JObject { } problem && problem["traceId"] is { } traceId)
        {
            // Varies per request: check it is there, pin only its presence.
            Assert.False(string.IsNullOrEmpty(traceId.Value<string>()));
            problem["traceId"] = "(trace id)";
        }

        snapshot["body"] = body;
        var name = $"{Path.GetFileNameWithoutExtension(testFile)}.{testName}{(caseName is null ? "" : "_" + caseName)}.snap";
        Snapshot.Match(snapshot, new SnapshotFullName(name, Path.GetDirectoryName(testFile)!));
        return (JObject)snapshot;
    }
}
