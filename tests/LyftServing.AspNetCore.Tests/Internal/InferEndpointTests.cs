using System.Net;
using System.Text;
using LyftServing.AspNetCore.Tests.Infrastructure;
using LyftServing.AspNetCore.Tests.TestModels;
using LyftServing.AspNetCore.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace LyftServing.AspNetCore.Tests.Internal;

/// <summary>
/// <c>POST /infer</c> through the in-memory test server: every answer is pinned by a snapshot, and
/// after every error the same app still answers a valid request.
/// </summary>
public class InferEndpointTests(TestAppFixture fixture) : IClassFixture<TestAppFixture>
{
    private const string ValidBody = """{"model_id": "driver_eta", "features": {"distance_km": 10, "stops": 2}}""";

    private static readonly Dictionary<string, InferCase> Cases = new InferCase[]
    {
        // 200
        new("ok_primary_version", ValidBody, HttpStatusCode.OK),
        new("ok_named_version", """{"model_id": "driver_eta", "model_version": "1", "features": {"distance_km": 10, "stops": 2}}""", HttpStatusCode.OK),
        new("ok_version_null_means_primary", """{"model_id": "driver_eta", "model_version": null, "features": {"distance_km": 10, "stops": 2}}""", HttpStatusCode.OK),
        new("ok_json_with_charset", ValidBody, HttpStatusCode.OK, ContentType: "application/json; charset=UTF-8"),
        new("ok_structured_json_media_type", ValidBody, HttpStatusCode.OK, ContentType: "application/vnd.lyft+json"),

        // 400: the body
        new("empty_body", "", HttpStatusCode.BadRequest),
        new("invalid_json", """{"model_id": "driver_eta", "features": {"distance_km": 10,}}""", HttpStatusCode.BadRequest),
        new("invalid_utf8", "{\"model_id\": \"driver_eta\xff\", \"features\": {\"distance_km\": 10, \"stops\": 2}}", HttpStatusCode.BadRequest),
        new("body_is_array", """[{"model_id": "driver_eta"}]""", HttpStatusCode.BadRequest),
        new("body_is_string", "\"driver_eta\"", HttpStatusCode.BadRequest),
        new("body_is_null", "null", HttpStatusCode.BadRequest),
        new("too_deep", """{"model_id": "driver_eta", "features": """ + new string('[', 40) + new string(']', 40) + "}", HttpStatusCode.BadRequest),
        new("unknown_field", """{"model_id": "driver_eta", "featurs": {"distance_km": 10, "stops": 2}}""", HttpStatusCode.BadRequest),
        new("duplicate_field", """{"model_id": "driver_eta", "model_id": "other", "features": {"distance_km": 10, "stops": 2}}""", HttpStatusCode.BadRequest),

        // 400: model_id and model_version
        new("model_id_missing", """{"features": {"distance_km": 10, "stops": 2}}""", HttpStatusCode.BadRequest),
        new("model_id_empty", """{"model_id": "", "features": {"distance_km": 10, "stops": 2}}""", HttpStatusCode.BadRequest),
        new("model_id_not_a_string", """{"model_id": 42, "features": {"distance_km": 10, "stops": 2}}""", HttpStatusCode.BadRequest),
        new("model_id_path_traversal", """{"model_id": "../../etc/passwd", "features": {"distance_km": 10, "stops": 2}}""", HttpStatusCode.BadRequest),
        new("model_id_uppercase", """{"model_id": "Driver_ETA", "features": {"distance_km": 10, "stops": 2}}""", HttpStatusCode.BadRequest),
        new("model_version_not_a_string", """{"model_id": "driver_eta", "model_version": 2, "features": {"distance_km": 10, "stops": 2}}""", HttpStatusCode.BadRequest),
        new("model_version_invalid", """{"model_id": "driver_eta", "model_version": "../2", "features": {"distance_km": 10, "stops": 2}}""", HttpStatusCode.BadRequest),

        // 400: features
        new("features_missing", """{"model_id": "driver_eta"}""", HttpStatusCode.BadRequest),
        new("features_null", """{"model_id": "driver_eta", "features": null}""", HttpStatusCode.BadRequest),
        new("features_string", """{"model_id": "driver_eta", "features": "10 km, 2 stops"}""", HttpStatusCode.BadRequest),
        new("features_array", """{"model_id": "driver_eta", "features": [10, 2]}""", HttpStatusCode.BadRequest),
        new("feature_wrong_type", """{"model_id": "driver_eta", "features": {"distance_km": "far", "stops": 2}}""", HttpStatusCode.BadRequest),
        new("feature_unknown", """{"model_id": "driver_eta", "features": {"distance_km": 10, "stops": 2, "speed_kmh": 40}}""", HttpStatusCode.BadRequest),
        new("feature_missing", """{"model_id": "driver_eta", "features": {"distance_km": 10}}""", HttpStatusCode.BadRequest),
        new("feature_int_overflow", """{"model_id": "driver_eta", "features": {"distance_km": 10, "stops": 3000000000}}""", HttpStatusCode.BadRequest),
        new("feature_fraction_for_int", """{"model_id": "driver_eta", "features": {"distance_km": 10, "stops": 2.5}}""", HttpStatusCode.BadRequest),
        new("feature_double_overflow", """{"model_id": "driver_eta", "features": {"distance_km": 1e400, "stops": 2}}""", HttpStatusCode.BadRequest),
        new("feature_rejected_by_model", """{"model_id": "failing", "features": {"mode": "bad_feature"}}""", HttpStatusCode.BadRequest),

        // 404
        new("unknown_model", """{"model_id": "driver_eta_v9", "features": {"distance_km": 10, "stops": 2}}""", HttpStatusCode.NotFound),
        new("unknown_version", """{"model_id": "driver_eta", "model_version": "9", "features": {"distance_km": 10, "stops": 2}}""", HttpStatusCode.NotFound),

        // 405, 413, 415
        new("method_get", null, HttpStatusCode.MethodNotAllowed, Method: "GET"),
        new("method_put", ValidBody, HttpStatusCode.MethodNotAllowed, Method: "PUT"),
        new("method_delete", null, HttpStatusCode.MethodNotAllowed, Method: "DELETE"),
        new("method_patch", ValidBody, HttpStatusCode.MethodNotAllowed, Method: "PATCH"),
        new("body_over_limit", """{"model_id": "driver_eta", "features": {"distance_km": 10, "stops": 2, "pad": """ + "\"" + new string('x', 1024 * 1024) + "\"}}", HttpStatusCode.RequestEntityTooLarge),
        new("content_type_text", ValidBody, HttpStatusCode.UnsupportedMediaType, ContentType: "text/plain"),
        new("content_type_form", ValidBody, HttpStatusCode.UnsupportedMediaType, ContentType: "application/x-www-form-urlencoded"),
        new("content_type_missing", ValidBody, HttpStatusCode.UnsupportedMediaType, ContentType: null),
        new("content_type_utf16", ValidBody, HttpStatusCode.UnsupportedMediaType, ContentType: "application/json; charset=utf-16"),

        // 500, 503, 504
        new("model_throws", """{"model_id": "failing", "features": {"mode": "crash"}}""", HttpStatusCode.InternalServerError),
        new("output_not_json", """{"model_id": "failing", "features": {"mode": "nan"}}""", HttpStatusCode.InternalServerError),
        new("model_not_ready", """{"model_id": "not_ready", "features": {"distance_km": 10, "stops": 2}}""", HttpStatusCode.ServiceUnavailable),
        new("model_overloaded", """{"model_id": "failing", "features": {"mode": "overloaded"}}""", HttpStatusCode.ServiceUnavailable),
        new("model_timed_out", """{"model_id": "failing", "features": {"mode": "timeout"}}""", HttpStatusCode.GatewayTimeout),
        new("request_timeout", """{"model_id": "failing", "features": {"mode": "slow"}}""", HttpStatusCode.GatewayTimeout, Path: "/timed/infer"),
    }.ToDictionary(c => c.Name);

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    private HttpClient Client => fixture.App.Client;

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Infer_Request_AnswersAsPinnedAndKeepsServing(string caseName)
    {
        var testCase = Cases[caseName];

        using var response = await Client.SendAsync(testCase.ToRequest());

        Assert.Equal(testCase.Expected, response.StatusCode);
        var body = await ResponseSnapshot.MatchAsync(response, caseName);
        if (testCase.Expected != HttpStatusCode.OK)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith(ModelServingProblemTypes.BaseUri, (string?)body["body"]?["type"], StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", body.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", (string?)body["body"]?["detail"], StringComparison.Ordinal);
        }

        await AssertStillServesAsync(Client);
    }

    [Fact]
    public async Task Infer_ModelThrows_LogsErrorWithExceptionButAnswersWithoutIt()
    {
        using var response = await Client.PostAsync("/infer", Json("""{"model_id": "failing", "features": {"mode": "crash"}}"""));

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain(FailingModel.SecretText, text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
        var logged = fixture.App.Logs.GetSnapshot().Last(r => r.Id.Id == 102);
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.IsType<InvalidOperationException>(logged.Exception);
    }

    [Fact]
    public async Task Infer_ChunkedBodyOverLimit_Returns413()
    {
        var content = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(Cases["body_over_limit"].Body!)));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");

        using var response = await Client.PostAsync("/infer", content);

        Assert.Null(response.RequestMessage?.Content?.Headers.ContentLength);
        await ResponseSnapshot.MatchAsync(response);
        await AssertStillServesAsync(Client);
    }

    [Fact]
    public async Task Infer_ConcurrentValidAndInvalidRequests_AllAnsweredCorrectly()
    {
        var tasks = Enumerable.Range(0, 200).Select(async i =>
        {
            var testCase = Cases[(i % 4) switch { 0 => "ok_primary_version", 1 => "feature_wrong_type", 2 => "model_throws", _ => "unknown_model" }];
            using var response = await Client.SendAsync(testCase.ToRequest());
            return (testCase.Expected, response.StatusCode);
        });

        foreach (var (expected, actual) in await Task.WhenAll(tasks))
        {
            Assert.Equal(expected, actual);
        }
    }

    private static InferEndpoint NewEndpoint(IModelProvider models)
    {
        var options = new ModelServingHttpOptions();
        var logger = NullLogger.Instance;
        return new InferEndpoint(new ModelResolver(models), new JsonRequestReader(options), new ExceptionProblems(logger, options), new ProblemResponder(logger), logger, "");
    }

    [Fact]
    public async Task Infer_CallerGoneBeforePrediction_CallsNoModelAndWritesNothing()
    {
        await using var app = await StartCountingAppAsync();
        using var gone = new CancellationTokenSource();
        var context = new DefaultHttpContext { RequestServices = app.Services, RequestAborted = gone.Token };
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.Body = new CancelAtEndStream(Encoding.UTF8.GetBytes("""{"model_id": "counting", "features": {"distance_km": 10, "stops": 2}}"""), gone);
        context.Response.Body = new MemoryStream();
        var endpoint = NewEndpoint(app.Services.GetRequiredService<IModelProvider>());

        await endpoint.InferAsync(context);

        Assert.True(gone.IsCancellationRequested);
        Assert.Equal(0, app.Services.GetRequiredService<CallCounter>().Calls);
        Assert.Equal(0, context.Response.Body.Length);
    }

    [Fact]
    public async Task Infer_ClientAbortsWhileSending_CallsNoModelLogsNoErrorAndKeepsServing()
    {
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await StartCountingAppAsync(app =>
        {
            app.Use(async (context, next) =>
            {
                try
                {
                    await next(context);
                }
                finally
                {
                    if (context.Request.Path == "/infer" && context.RequestAborted.IsCancellationRequested)
                    {
                        finished.TrySetResult();
                    }
                }
            });
            app.MapModelServing();
        });
        using var abort = new CancellationTokenSource();
        var content = new StallingContent("""{"model_id": "counting", "features": {"distance_km": 10,""");
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");

        var sending = app.Client.PostAsync("/infer", content, abort.Token);
        await content.FirstPartSent;
        await abort.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        await finished.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, app.Services.GetRequiredService<CallCounter>().Calls);
        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Level >= LogLevel.Warning);
        using var response = await app.Client.PostAsync("/infer", Json("""{"model_id": "counting", "features": {"distance_km": 10, "stops": 2}}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, app.Services.GetRequiredService<CallCounter>().Calls);
    }

    [Theory]
    [InlineData("""{"distance_km": "far", "stops": 2}""")]
    [InlineData("""{"distance_km": 1e400, "stops": 2}""")]
    [InlineData("""{"speed": 40}""")]
    [InlineData("""[1, 2]""")]
    public async Task Infer_UnknownVersionWithBadFeatures_Answers404BeforeBindingTheFeatures(string features)
    {
        using var response = await Client.PostAsync("/infer", Json($$"""{"model_id": "driver_eta", "model_version": "9", "features": {{features}}}"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(ModelServingProblemTypes.ModelVersionNotFound, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_AfterTheHostStopped_Answers503ForEveryStage()
    {
        await using var app = await TestApp.StartAsync(
            (serving, store) =>
            {
                store.AddVersion("counting", "1", new Dictionary<string, string>());
                serving.AddModel<CountingModel, EtaFeatures, double>("counting");
                serving.AddModel<CountingModel, EtaFeatures, double>("limited", m => m.FromStore(store).LimitConcurrency(4, 4).WithTimeout(TimeSpan.FromSeconds(5)));
                store.AddVersion("limited", "1", new Dictionary<string, string>());
            },
            app => app.MapModelServing());
        var endpoint = NewEndpoint(app.Services.GetRequiredService<IModelProvider>());
        await app.StopAsync();

        foreach (var model in new[] { "counting", "limited" })
        {
            var context = new DefaultHttpContext { RequestServices = app.Services };
            context.Request.Method = "POST";
            context.Request.ContentType = "application/json";
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes($$$"""{"model_id": "{{{model}}}", "features": {"distance_km": 10, "stops": 2}}"""));
            context.Response.Body = new MemoryStream();

            await endpoint.InferAsync(context);

            Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        }
    }

    private static Task<TestApp> StartCountingAppAsync(Action<WebApplication>? map = null) =>
        TestApp.StartAsync(
            (serving, store) =>
            {
                store.AddVersion("counting", "1", new Dictionary<string, string>());
                serving.AddModel<CountingModel, EtaFeatures, double>("counting");
            },
            map ?? (app => app.MapModelServing()));

    internal static async Task AssertStillServesAsync(HttpClient client)
    {
        using var response = await client.PostAsync("/infer", Json(ValidBody));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"model_id":"driver_eta","model_version":"2","output":{"eta_seconds":1120}}""", await response.Content.ReadAsStringAsync());
    }

    internal static ByteArrayContent Json(string body) => Content(body, "application/json");

    private static ByteArrayContent Content(string body, string? contentType)
    {
        var content = new ByteArrayContent(ToBytes(body));
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return content;
    }

    // '\xff' stands for the byte 0xFF, which is not valid UTF-8; everything else is UTF-8.
    private static byte[] ToBytes(string body) =>
        [.. body.Split('\xff').SelectMany((part, i) => i == 0 ? Encoding.UTF8.GetBytes(part) : [0xFF, .. Encoding.UTF8.GetBytes(part)])];

    public sealed record InferCase(string Name, string? Body, HttpStatusCode Expected, string Method = "POST", string? ContentType = "application/json", string Path = "/infer")
    {
        public HttpRequestMessage ToRequest() => new(new HttpMethod(Method), Path)
        {
            Content = Body is null ? null : Content(Body, ContentType),
        };
    }

    /// <summary>A body that reads completely, then reports the caller gone (as a disconnect right after sending would).</summary>
    private sealed class CancelAtEndStream(byte[] data, CancellationTokenSource gone) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = Read(buffer.Span);
            if (read == 0)
            {
                gone.Cancel();
            }

            return ValueTask.FromResult(read);
        }
    }

    /// <summary>Sends part of a body, then stalls until the request is cancelled.</summary>
    private sealed class StallingContent(string firstPart) : HttpContent
    {
        private readonly TaskCompletionSource _firstPartSent = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstPartSent => _firstPartSent.Task;

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(firstPart), cancellationToken);
            await stream.FlushAsync(cancellationToken);
            _firstPartSent.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>A stream whose length is unknown, so the client sends the body chunked, without Content-Length.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
