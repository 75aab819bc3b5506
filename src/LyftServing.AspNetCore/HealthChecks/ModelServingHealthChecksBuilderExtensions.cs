using LyftServing.AspNetCore;
using LyftServing.AspNetCore.Internal;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the model serving health checks to <c>AddHealthChecks()</c>.</summary>
public static class ModelServingHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds two checks: <see cref="ModelServingHealthChecks.ReadyCheckName"/> (tag
    /// <see cref="ModelServingHealthChecks.ReadyTag"/>), healthy only when every required model has a
    /// primary version and at least one model has one; and <see cref="ModelServingHealthChecks.LiveCheckName"/>
    /// (tag <see cref="ModelServingHealthChecks.LiveTag"/>), healthy while the process serves.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="failureStatus">What the readiness check reports when not ready; <see langword="null"/> (the default) reports <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Map them with tag filters:
    /// <c>app.MapHealthChecks("/health/ready", new() { Predicate = c =&gt; c.Tags.Contains("ready") })</c> and
    /// <c>app.MapHealthChecks("/health/live", new() { Predicate = c =&gt; c.Tags.Contains("live") })</c>.
    /// The readiness check reads the status view, so it costs no model call.
    /// </remarks>
    public static IHealthChecksBuilder AddModelServingChecks(this IHealthChecksBuilder builder, HealthStatus? failureStatus = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(new HealthCheckRegistration(
            ModelServingHealthChecks.ReadyCheckName,
            sp => new ModelServingReadinessCheck(sp),
            failureStatus,
            [ModelServingHealthChecks.ReadyTag]));
        builder.Add(new HealthCheckRegistration(
            ModelServingHealthChecks.LiveCheckName,
            _ => ModelServingLivenessCheck.Instance,
            failureStatus: null,
            [ModelServingHealthChecks.LiveTag]));
        return builder;
    }
}
