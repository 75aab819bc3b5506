using LyftServing;
using LyftServing.AspNetCore;
using LyftService;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;

var builder = WebApplication.CreateBuilder(args);

// The models (LyftServiceModels.cs): the same registration the tests build.
builder.AddLyftServiceModels();

// Ready when every model serves a version; live while the process answers.
builder.Services.AddHealthChecks().AddModelServingChecks();

// LyftServing's metrics (inference latency, loads, self-tests, ...) for Prometheus on /metrics.
builder.Services.AddOpenTelemetry()
    .WithMetrics(metrics => metrics.AddMeter(ModelServingTelemetry.MeterName).AddPrometheusExporter());

var app = builder.Build();
app.MapModelServing();                  // POST /infer, GET /models, GET /models/{model_id}
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ModelServingHealthChecks.ReadyTag) });
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ModelServingHealthChecks.LiveTag) });
app.MapPrometheusScrapingEndpoint();    // GET /metrics
app.Run();
