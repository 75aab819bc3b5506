using System.Diagnostics;

namespace LyftServing;

/// <summary>
/// The names of LyftServing's telemetry, for <c>AddMeter</c>/<c>AddSource</c> and dashboards:
/// <c>services.AddOpenTelemetry().WithMetrics(m =&gt; m.AddMeter(ModelServingTelemetry.MeterName))</c>.
/// </summary>
public static class ModelServingTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/>: <c>LyftServing</c>.</summary>
    public const string MeterName = "LyftServing";

    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/>: <c>LyftServing</c>.</summary>
    public const string ActivitySourceName = "LyftServing";

    /// <summary>Tag: the model name.</summary>
    public const string ModelNameTag = "lyftserving.model.name";

    /// <summary>Tag: the model version.</summary>
    public const string ModelVersionTag = "lyftserving.model.version";

    /// <summary>Tag: the role of the version that ran a prediction, <c>primary</c> or <c>shadow</c>.</summary>
    public const string RoleTag = "lyftserving.inference.role";

    /// <summary>Tag: the state of a version, on <c>lyftserving.model.versions</c>.</summary>
    public const string StateTag = "lyftserving.model.state";

    /// <summary>Tag: the result of a self-test run, <c>pass</c> or <c>fail</c>.</summary>
    public const string SelfTestResultTag = "lyftserving.self_test.result";

    /// <summary>Tag: the outcome of a shadow comparison (<c>match</c>, <c>mismatch</c>, <c>error</c>) or of a prediction log record (<c>written</c>, <c>dropped</c>, <c>failed</c>).</summary>
    public const string OutcomeTag = "lyftserving.outcome";

    /// <summary>Tag: the failure's exception type (OpenTelemetry's <c>error.type</c>).</summary>
    public const string ErrorTypeTag = "error.type";

    internal static readonly ActivitySource Source = new(ActivitySourceName, typeof(ModelServingTelemetry).Assembly.GetName().Version?.ToString());
}
