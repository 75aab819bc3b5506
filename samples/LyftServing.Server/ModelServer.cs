using System.Text.Json;
using LyftServing.AspNetCore;
using LyftServing.Server.Models;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace LyftServing.Server;

/// <summary>
/// The model server's composition, shared by <c>Program</c>, the tests and the benchmark host:
/// every model in the store directory (<c>ModelServing:StoreRoot</c>) whose <c>model.json</c>
/// names a registered runtime, served over HTTP with health checks, OpenAPI and metrics in the
/// Prometheus format on <c>/metrics</c>; metrics and traces also go to an OTLP collector when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class ModelServer
{
    /// <summary>The authorization policy of the admin endpoints.</summary>
    public const string OperatorsPolicy = "model-operators";

    /// <summary>The role a token needs for the admin endpoints.</summary>
    public const string OperatorRole = "model-operator";

    /// <summary>Adds the model server: its models (<see cref="AddModelServerModels"/>), health checks, OpenAPI and metrics.</summary>
    /// <param name="builder">The app builder.</param>
    /// <returns>The builder.</returns>
    public static WebApplicationBuilder AddModelServer(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var serving = builder.AddModelServerModels();
        builder.Services.AddHealthChecks().AddModelServingChecks();
        builder.Services.AddOpenApi(o => o.AddModelServingDocument());

        // The admin endpoints need a bearer token with the model-operator role. JwtBearer reads
        // Authentication:Schemes:Bearer (ValidIssuer, ValidAudiences, SigningKeys), which
        // `dotnet user-jwts create --role model-operator` writes for local tokens and a fleet's
        // replicas take from their environment (eng/fleet.py); without it every admin request is
        // answered 401.
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddAuthorization(o => o.AddPolicy(OperatorsPolicy, p => p.RequireRole(OperatorRole)));
        // Their 401 and 403 answers carry problem details, as every other error does.
        serving.AddAdminAuthorizationProblems();

        // LyftServing's meter, scraped by Prometheus from /metrics.
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("lyftserving-server"))
            .WithMetrics(metrics => metrics.AddMeter(ModelServingTelemetry.MeterName).AddPrometheusExporter());
        if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            // Traces (one activity per prediction) only when a collector takes them: sampled
            // activities cost time on every call.
            telemetry
                .WithTracing(tracing => tracing.AddSource(ModelServingTelemetry.ActivitySourceName))
                .UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// Adds model serving, configured from the <c>ModelServing</c> and <c>ModelServingHttp</c>
    /// sections, with the server's runtimes; also what its tests build (<c>IHostApplicationBuilder</c>,
    /// so a test host without a web server can call it).
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <returns>The model serving builder.</returns>
    public static IModelServingBuilder AddModelServerModels(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing"))
            // Features and outputs in snake_case, like the rest of the wire format.
            .ConfigureJson(json => json.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower)
            .ConfigureHttp(builder.Configuration.GetSection("ModelServingHttp"))
            // Model code chosen per version by its model.json ("runtime": "..."): ONNX, TorchScript
            // and LightGBM model.txt files with no code at all, and two C# models.
            .AddOnnxRuntime()
            .AddTorchScriptRuntime()
            .AddLightGbmRuntime()
            // StoreRoot may also be s3://bucket/prefix or azblob://container/prefix (settings in ModelServing:S3 / ModelServing:AzureBlob).
            .AddS3ModelStore()
            .AddAzureBlobModelStore()
            .AddModelRuntime<DriverEtaModel, EtaFeatures, EtaPrediction>("driver-eta-linear")
            .AddModelRuntime<LogisticRegressionModel, Dictionary<string, double>, Score>("logistic-regression");
    }

    /// <summary>Maps <c>/infer</c>, <c>/models</c>, the Open Inference Protocol (<c>/v2</c>), the admin endpoints (<c>/admin</c>, role <c>model-operator</c>), <c>/health/ready</c>, <c>/health/live</c>, <c>/metrics</c> and <c>/openapi/v1.json</c>.</summary>
    /// <param name="app">The app.</param>
    /// <returns>The app.</returns>
    public static WebApplication MapModelServer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapModelServing();
        app.MapOpenInferenceProtocol();
        app.MapModelServingAdmin(OperatorsPolicy);
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ModelServingHealthChecks.ReadyTag) });
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ModelServingHealthChecks.LiveTag) });
        app.MapOpenApi();
        app.MapPrometheusScrapingEndpoint();

        var configuredRoot = app.Services.GetRequiredService<IOptions<ModelServingOptions>>().Value.StoreRoot;
        var storeRoot = configuredRoot.Contains("://", StringComparison.Ordinal) ? configuredRoot : Path.GetFullPath(Path.Combine(app.Environment.ContentRootPath, configuredRoot));
        app.Lifetime.ApplicationStarted.Register(() =>
            Log.Serving(app.Logger, string.Join(", ", app.Services.GetRequiredService<IModelProvider>().ModelNames), storeRoot));
        return app;
    }
}
