using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LyftServing.AspNetCore.Internal;

/// <summary>
/// Readiness: every required model has a primary version, and at least one model has one (a
/// service with no models, or with none serving, is not ready by accident).
/// </summary>
internal sealed class ModelServingReadinessCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failure = context.Registration.FailureStatus;
        if (services.GetService<IModelManager>() is not { } manager)
        {
            return Task.FromResult(new HealthCheckResult(failure, "Model serving is not set up: call services.AddModelServing()."));
        }

        var statuses = manager.GetStatus();
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var missing = new List<string>();
        var serving = 0;
        foreach (var status in statuses)
        {
            data[status.Name] = status.PrimaryVersion ?? "none";
            if (status.PrimaryVersion is not null)
            {
                serving++;
            }
            else if (status.Required)
            {
                missing.Add(status.Name);
            }
        }

        var result = statuses.Count == 0
            ? new HealthCheckResult(failure, "No models are registered or discovered, so nothing can be served.", data: data)
            : missing.Count > 0
            ? new HealthCheckResult(failure, $"Required models without a primary version: {string.Join(", ", missing)}.", data: data)
            : serving == 0
            ? new HealthCheckResult(failure, "No model has a version ready to serve.", data: data)
            : HealthCheckResult.Healthy($"{serving} of {statuses.Count} models serving.", data);
        return Task.FromResult(result);
    }
}

/// <summary>Liveness: healthy whenever the process can answer.</summary>
internal sealed class ModelServingLivenessCheck : IHealthCheck
{
    public static readonly ModelServingLivenessCheck Instance = new();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy("The process is serving."));
}
