using System.Net;
using System.Text.Encodings.Web;
using LyftServing.AspNetCore.Tests.Infrastructure;
using LyftServing.AspNetCore.Tests.Internal;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.TestHost;

namespace LyftServing.AspNetCore.Tests.Routing;

public class ModelServingEndpointRouteBuilderExtensionsTests
{
    private const string ValidBody = """{"model_id": "driver_eta", "features": {"distance_km": 10, "stops": 2}}""";

    [Fact]
    public async Task MapModelServing_WithoutAddModelServing_ThrowsNamingAddModelServing()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapModelServing());

        Assert.Contains("AddModelServing()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapModelServing_Prefix_MapsEveryEndpointUnderIt()
    {
        await using var app = await TestApp.StartAsync(map: a => a.MapModelServing("ml/"));

        using var infer = await app.Client.PostAsync("/ml/infer", InferEndpointTests.Json(ValidBody));
        using var models = await app.Client.GetAsync("/ml/models");
        using var model = await app.Client.GetAsync("/ml/models/driver_eta");
        using var outside = await app.Client.PostAsync("/infer", InferEndpointTests.Json(ValidBody));
        using var notReady = await app.Client.PostAsync("/ml/infer", InferEndpointTests.Json("""{"model_id": "nope", "features": {}}"""));

        Assert.Equal(HttpStatusCode.OK, infer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        Assert.Equal(HttpStatusCode.OK, model.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
        Assert.Contains("GET /ml/models lists the served models", await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapModelServing_RequireAuthorization_AppliesToEveryEndpoint()
    {
        await using var app = await TestApp.StartAsync(
            map: a =>
            {
                a.UseAuthentication();
                a.UseAuthorization();
                a.MapModelServing().RequireAuthorization();
            },
            configure: b =>
            {
                b.Services.AddAuthentication(DenyAllHandler.Name).AddScheme<AuthenticationSchemeOptions, DenyAllHandler>(DenyAllHandler.Name, null);
                b.Services.AddAuthorization();
            });

        using var infer = await app.Client.PostAsync("/infer", InferEndpointTests.Json(ValidBody));
        using var wrongMethod = await app.Client.GetAsync("/infer");
        using var models = await app.Client.GetAsync("/models");
        using var model = await app.Client.GetAsync("/models/driver_eta");

        Assert.Equal(HttpStatusCode.Unauthorized, infer.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongMethod.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, models.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, model.StatusCode);
    }

    [Fact]
    public async Task MapModelServing_InvalidOptions_ThrowsOptionsValidationException()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(
            map: a => a.MapModelServing(),
            configure: b => b.Services.Configure<ModelServingHttpOptions>(o => o.MaxRequestBodySize = 0)));

        Assert.Contains(nameof(ModelServingHttpOptions.MaxRequestBodySize), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapOpenApi_WithModelServing_DescribesTheEndpoints()
    {
        await using var app = await TestApp.StartAsync();

        using var response = await app.Client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await ResponseSnapshot.MatchAsync(response);
    }

    /// <summary>An authentication scheme that never authenticates, so authorization challenges with 401.</summary>
    private sealed class DenyAllHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string Name = "deny";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());
    }
}
