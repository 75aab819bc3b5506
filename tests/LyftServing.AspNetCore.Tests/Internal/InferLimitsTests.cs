using System.Net;
using System.Text.Json;
using LyftServing.AspNetCore.Tests.Infrastructure;
using LyftServing.AspNetCore.Tests.TestModels;
using Microsoft.Extensions.Time.Testing;

namespace LyftServing.AspNetCore.Tests.Internal;

/// <summary><c>POST /infer</c> against Core's real overload protection and timeouts (no stand-in exceptions).</summary>
public class InferLimitsTests
{
    private const string Body = """{"model_id": "limited", "features": {"mode": "ok"}}""";

    private static Task<TestApp> StartAsync(Action<ModelBuilder<FailingFeatures, double>> limits) =>
        TestApp.StartAsync(
            (serving, store) =>
            {
                serving.Services.AddSingleton<PredictGate>();
                store.AddVersion("limited", "1", new Dictionary<string, string>());
                serving.AddModel<GatedModel, FailingFeatures, double>("limited", limits);
            },
            TestApp.MapStandard);

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

    [Fact]
    public async Task Infer_ModelAtItsConcurrencyLimit_Answers503WithTheModelsRetryAfter_ThenServesAgain()
    {
        await using var app = await StartAsync(m => m.LimitConcurrency(1).Configure(o => o.Limits.RetryAfter = TimeSpan.FromSeconds(3)));
        var gate = app.Services.GetRequiredService<PredictGate>();
        var first = app.Client.PostAsync("/infer", Json(Body));
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(10));

        using var refused = await app.Client.PostAsync("/infer", Json(Body));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("3", refused.Headers.GetValues("Retry-After").Single());
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal(ModelServingProblemTypes.ModelOverloaded, problem.RootElement.GetProperty("type").GetString());
        Assert.Equal("Model 'limited' is at its limit of concurrent calls: retry in 3 s.", problem.RootElement.GetProperty("detail").GetString());
        gate.Open.Release();
        using var answered = await first;
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        using var again = await app.Client.PostAsync("/infer", Json(Body));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Infer_ModelRunningOnThePoolPastItsTimeout_Answers504AtTheDeadline_ThenServesAgain()
    {
        await using var app = await StartAsync(m => m.WithTimeout(TimeSpan.FromMilliseconds(200), runOnThreadPool: true));
        var gate = app.Services.GetRequiredService<PredictGate>();
        var clock = (FakeTimeProvider)app.Services.GetRequiredService<TimeProvider>();
        var call = app.Client.PostAsync("/infer", Json(Body));
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(10));

        clock.Advance(TimeSpan.FromMilliseconds(200));
        using var timedOut = await call;

        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
        using var problem = JsonDocument.Parse(await timedOut.Content.ReadAsStringAsync());
        Assert.Equal(ModelServingProblemTypes.Timeout, problem.RootElement.GetProperty("type").GetString());
        Assert.DoesNotContain("TimeoutException", problem.RootElement.GetRawText(), StringComparison.Ordinal);
        gate.Open.Release();
        using var again = await app.Client.PostAsync("/infer", Json(Body));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(1, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("output").GetDouble());
    }

    [Fact]
    public async Task Infer_ModelOnTheCallersThreadPastItsTimeout_Answers504WhenItReturns()
    {
        await using var app = await StartAsync(m => m.WithTimeout(TimeSpan.FromMilliseconds(200)));
        var gate = app.Services.GetRequiredService<PredictGate>();
        var clock = (FakeTimeProvider)app.Services.GetRequiredService<TimeProvider>();
        var call = app.Client.PostAsync("/infer", Json(Body));
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(10));

        clock.Advance(TimeSpan.FromMilliseconds(200));
        gate.Open.Release();
        using var timedOut = await call;

        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
        using var again = await app.Client.PostAsync("/infer", Json(Body));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }
}
