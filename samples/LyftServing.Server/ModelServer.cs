using System.Text.Json;
using LyftServing.AspNetCore;
using LyftServing.Server.Models;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LyftServing.Server;

/// <summary>
/// The model server's composition, shared by <c>Program</c>, the tests and the benchmark host:
/// every model in the store directory (<c>ModelServing:StoreRoot</c>) whose <c>model.json</c>
/// names a registered runtime, served over HTTP with health checks and OpenAPI.
/// </summary>
public static class ModelServer
{
    /// <summary>Adds model serving, configured from the <c>ModelServing</c> and <c>ModelServingHttp</c> sections.</summary>
    /// <param name="builder">The app builder.</param>
    /// <returns>The builder.</returns>
    public static WebApplicationBuilder AddModelServer(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing"))
            // Features and outputs in snake_case, like the rest of the wire format.
            .ConfigureJson(json => json.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower)
            .ConfigureHttp(builder.Configuration.GetSection("ModelServingHttp"))
            // Model code chosen per version by its model.json ("runtime": "..."): ONNX files with no
            // code at all, and two C# models.
            .AddOnnxRuntime()
            .AddModelRuntime<DriverEtaModel, EtaFeatures, EtaPrediction>("driver-eta-linear")
            .AddModelRuntime<LogisticRegressionModel, Dictionary<string, double>, Score>("logistic-regression");

        builder.Services.AddHealthChecks().AddModelServingChecks();
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>Maps <c>/infer</c>, <c>/models</c>, <c>/health/ready</c>, <c>/health/live</c> and <c>/openapi/v1.json</c>.</summary>
    /// <param name="app">The app.</param>
    /// <returns>The app.</returns>
    public static WebApplication MapModelServer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapModelServing();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ModelServingHealthChecks.ReadyTag) });
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ModelServingHealthChecks.LiveTag) });
        app.MapOpenApi();

        var storeRoot = Path.GetFullPath(Path.Combine(app.Environment.ContentRootPath, app.Services.GetRequiredService<IOptions<ModelServingOptions>>().Value.StoreRoot));
        app.Lifetime.ApplicationStarted.Register(() =>
            Log.Serving(app.Logger, string.Join(", ", app.Services.GetRequiredService<IModelProvider>().ModelNames), storeRoot));
        return app;
    }
}
