using System.Net;
using LyftServing.AspNetCore.Tests.Infrastructure;
using LyftServing.AspNetCore.Tests.Internal;

namespace LyftServing.AspNetCore.Tests.DependencyInjection;

public class ModelServingHttpBuilderExtensionsTests
{
    [Fact]
    public async Task ConfigureHttp_SmallerBodyLimitAndDepth_AnswersAtThoseLimits()
    {
        await using var app = await TestApp.StartAsync(models: (serving, store) =>
        {
            TestApp.AddStandardModels(serving, store);
            serving.ConfigureHttp(o =>
            {
                o.MaxRequestBodySize = 100;
                o.MaxDepth = 3;
                o.RetryAfter = TimeSpan.FromSeconds(7.5);
            });
        });

        using var large = await app.Client.PostAsync("/infer", InferEndpointTests.Json("""{"model_id": "driver_eta", "features": {"distance_km": 10, "stops": 2, "note": "0123456789012345678901234567890123456789"}}"""));
        using var deep = await app.Client.PostAsync("/infer", InferEndpointTests.Json("""{"model_id": "driver_eta", "features": {"distance_km": [[1]], "stops": 2}}"""));
        using var notReady = await app.Client.PostAsync("/infer", InferEndpointTests.Json("""{"model_id": "not_ready", "features": {"distance_km": 10, "stops": 2}}"""));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.Contains("limit of 100 bytes", await large.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, deep.StatusCode);
        Assert.Contains(ModelServingProblemTypes.JsonTooDeep, await deep.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Equal("8", notReady.Headers.GetValues("Retry-After").Single());
        await InferEndpointTests.AssertStillServesAsync(app.Client);
    }

    [Fact]
    public async Task ConfigureHttp_ConfigurationSection_BindsOptions()
    {
        await using var app = await TestApp.StartAsync(models: (serving, store) =>
        {
            TestApp.AddStandardModels(serving, store);
            serving.ConfigureHttp(Section(("MaxRequestBodySize", "2048"), ("MaxDepth", "8")));
        });

        var options = app.Services.GetRequiredService<IOptions<ModelServingHttpOptions>>().Value;

        Assert.Equal(2048, options.MaxRequestBodySize);
        Assert.Equal(8, options.MaxDepth);
    }

    [Fact]
    public async Task ConfigureHttp_UnknownConfigurationKey_FailsAtStart()
    {
        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => TestApp.StartAsync(models: (serving, store) =>
        {
            TestApp.AddStandardModels(serving, store);
            serving.ConfigureHttp(Section(("MaxRequestBodySise", "2048")));
        }));

        Assert.Contains("MaxRequestBodySise", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigureHttp_InvalidValue_FailsAtStart()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(models: (serving, store) =>
        {
            TestApp.AddStandardModels(serving, store);
            serving.ConfigureHttp(o => o.MaxDepth = 1);
        }));

        Assert.Contains(nameof(ModelServingHttpOptions.MaxDepth), error.Message, StringComparison.Ordinal);
    }

    private static IConfigurationSection Section(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("ModelServingHttp:" + v.Key, v.Value)))
            .Build()
            .GetSection("ModelServingHttp");
}
