namespace LyftServing.AspNetCore;

/// <summary>The names and tags of the health checks added by <c>AddModelServingChecks()</c>.</summary>
/// <remarks>
/// Map them with tag filters, for example
/// <c>app.MapHealthChecks("/health/ready", new() { Predicate = c =&gt; c.Tags.Contains(ModelServingHealthChecks.ReadyTag) })</c>.
/// </remarks>
public static class ModelServingHealthChecks
{
    /// <summary>The tag of the readiness check: ready only when every required model has a primary version and at least one model does.</summary>
    public const string ReadyTag = "ready";

    /// <summary>The tag of the liveness check: healthy while the process serves.</summary>
    public const string LiveTag = "live";

    /// <summary>The name of the readiness check.</summary>
    public const string ReadyCheckName = "lyftserving-models";

    /// <summary>The name of the liveness check.</summary>
    public const string LiveCheckName = "lyftserving-live";
}
