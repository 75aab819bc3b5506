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
        foreach (var status in statuses)
        {
            data[status.Name] = status.PrimaryVersion ?? "none";
        }

        var result = Evaluate(statuses, out var description)
            ? HealthCheckResult.Healthy(description, data)
            : new HealthCheckResult(failure, description, data: data);
        return Task.FromResult(result);
    }

    /// <summary>Decides readiness from the models' status (also the Open Inference Protocol's <c>GET /v2/health/ready</c>).</summary>
    /// <param name="statuses">Every model's status.</param>
    /// <param name="description">Why, in words.</param>
    /// <returns>Whether the service is ready.</returns>
    public static bool Evaluate(IReadOnlyList<ModelStatus> statuses, out string description)
    {
        var missing = new List<string>();
        var serving = 0;
        foreach (var status in statuses)
        {
            if (status.PrimaryVersion is not null)
            {
                serving++;
            }
            else if (status.Required)
            {
                missing.Add(status.Name);
            }
        }

        description = statuses.Count == 0
            ? "No models are registered or discovered, so nothing can be served."
            : missing.Count > 0
            ? $"Required models without a primary version: {string.Join(", ", missing)}."
            : serving == 0
            ? "No model has a version ready to serve."
            : $"{serving} of {statuses.Count} models serving.";
        return statuses.Count > 0 && missing.Count == 0 && serving > 0;
    }
}

/// <summary>Liveness: healthy whenever the process can answer.</summary>
internal sealed class ModelServingLivenessCheck : IHealthCheck
{
    public static readonly ModelServingLivenessCheck Instance = new();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy("The process is serving."));
}
