using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LyftServing.Internal;

/// <summary>The instruments of the <c>LyftServing</c> meter (created through <see cref="IMeterFactory"/>).</summary>
internal sealed class ModelServingMetrics
{
    public ModelServingMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(ModelServingTelemetry.MeterName);
        InferenceDuration = Meter.CreateHistogram<double>(
            "lyftserving.inference.duration",
            unit: "s",
            description: "Duration of predictions, by model, version and role.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        LoadDuration = Meter.CreateHistogram<double>(
            "lyftserving.model.load.duration",
            unit: "s",
            description: "Duration of version loads (load, warm-up and self-tests), with error.type when the load failed.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });
        SelfTestRuns = Meter.CreateCounter<long>(
            "lyftserving.self_test.runs",
            unit: "{run}",
            description: "Self-test runs after version loads, by result.");
        ShadowComparisons = Meter.CreateCounter<long>(
            "lyftserving.shadow.comparisons",
            unit: "{comparison}",
            description: "Shadow outputs compared with the primary's, by shadow version and outcome (match, mismatch, error).");
        ShadowDropped = Meter.CreateCounter<long>(
            "lyftserving.shadow.dropped",
            unit: "{request}",
            description: "Copies of calls not sent to a shadow because its queue was full.");
        PredictionLogRecords = Meter.CreateCounter<long>(
            "lyftserving.prediction_log.records",
            unit: "{record}",
            description: "Prediction log records, by outcome (written, dropped, failed).");
        BatchSize = Meter.CreateHistogram<int>(
            "lyftserving.batch.size",
            unit: "{row}",
            description: "Rows per dynamic batch.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });
        Overloaded = Meter.CreateCounter<long>(
            "lyftserving.inference.overloaded",
            unit: "{request}",
            description: "Calls refused because the model's concurrency limit and queue were full.");
        DrainOverdue = Meter.CreateCounter<long>(
            "lyftserving.model.drain.overdue",
            unit: "{version}",
            description: "Retired versions still in use after the drain timeout (they are disposed only when their calls end).");
        VersionsChanged = Meter.CreateCounter<long>(
            "lyftserving.model.version.changed",
            unit: "{load}",
            description: "Loads that found a version's content changed since it was first loaded (versions are immutable).");
        Timeouts = Meter.CreateCounter<long>(
            "lyftserving.inference.timeouts",
            unit: "{request}",
            description: "Calls that did not complete within the model's timeout.");
    }

    public static TagList Tags(string model, string version)
    {
        var tags = default(TagList);
        tags.Add(ModelServingTelemetry.ModelNameTag, model);
        tags.Add(ModelServingTelemetry.ModelVersionTag, version);
        return tags;
    }

    public Meter Meter { get; }

    public Counter<long> ShadowComparisons { get; }

    public Counter<long> ShadowDropped { get; }

    public Counter<long> PredictionLogRecords { get; }

    public Histogram<int> BatchSize { get; }

    public Counter<long> Overloaded { get; }

    public Counter<long> Timeouts { get; }

    public Counter<long> DrainOverdue { get; }

    public Counter<long> VersionsChanged { get; }

    public Histogram<double> InferenceDuration { get; }

    public Histogram<double> LoadDuration { get; }

    public Counter<long> SelfTestRuns { get; }

    public static TagList Tags(string model, string version, string role)
    {
        var tags = default(TagList);
        tags.Add(ModelServingTelemetry.ModelNameTag, model);
        tags.Add(ModelServingTelemetry.ModelVersionTag, version);
        tags.Add(ModelServingTelemetry.RoleTag, role);
        return tags;
    }
}
