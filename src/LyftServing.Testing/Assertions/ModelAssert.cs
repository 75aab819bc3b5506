using System.Globalization;
using System.Text;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace LyftServing.Testing;

/// <summary>
/// Assertions over LyftServing's status and metrics, whose failures show the model's versions,
/// states, self-test results and errors. They throw <see cref="ModelAssertionException"/>, which
/// every test framework reports as a failure.
/// </summary>
public static class ModelAssert
{
    /// <summary>Asserts that a model's primary version is <paramref name="version"/>.</summary>
    /// <param name="manager">The host's model manager.</param>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version that must serve.</param>
    /// <returns>The model's status.</returns>
    public static ModelStatus Serves(IModelManager manager, string modelName, string version)
    {
        ArgumentNullException.ThrowIfNull(manager);
        var status = manager.GetStatus(modelName);
        return status.PrimaryVersion == version
            ? status
            : throw new ModelAssertionException($"Expected model '{modelName}' to serve version '{version}'. {Describe(status)}");
    }

    /// <summary>Asserts that a loaded version ran self-tests and passed every case.</summary>
    /// <param name="manager">The host's model manager.</param>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version, or <see langword="null"/> for the primary.</param>
    /// <returns>The version's self-test report.</returns>
    public static SelfTestReport SelfTestsPassed(IModelManager manager, string modelName, string? version = null)
    {
        ArgumentNullException.ThrowIfNull(manager);
        var status = manager.GetStatus(modelName);
        version ??= status.PrimaryVersion ?? throw new ModelAssertionException($"Model '{modelName}' has no primary version. {Describe(status)}");
        var record = status.Versions.FirstOrDefault(v => v.Version == version)
            ?? throw new ModelAssertionException($"Model '{modelName}' has no loaded version '{version}'. {Describe(status)}");
        return record.SelfTests switch
        {
            null => throw new ModelAssertionException($"Model '{modelName}' version '{version}' ran no self-tests. {Describe(status)}"),
            { Cases.Count: 0 } => throw new ModelAssertionException($"Model '{modelName}' version '{version}' has no self-test cases."),
            { Succeeded: false } report => throw new ModelAssertionException(
                $"Model '{modelName}' version '{version}' failed {report.Failed} of {report.Cases.Count} self-test cases:{Environment.NewLine}"
                + string.Join(Environment.NewLine, report.Cases.Where(c => !c.Passed).Select(c => $"  '{c.Name}': {c.Message}"))),
            var report => report,
        };
    }

    /// <summary>
    /// Asserts that an instrument recorded at least one measurement for a model (and version, and
    /// further tags), and returns those measurements.
    /// </summary>
    /// <typeparam name="T">The instrument's value type.</typeparam>
    /// <param name="collector">A collector from <see cref="ModelTestHost.CollectMetric{T}"/>.</param>
    /// <param name="modelName">The model (tag <c>lyftserving.model.name</c>).</param>
    /// <param name="version">The version (tag <c>lyftserving.model.version</c>), or <see langword="null"/> for any.</param>
    /// <param name="tags">Further tags that must match, such as <c>("lyftserving.self_test.result", "pass")</c>.</param>
    /// <returns>The matching measurements.</returns>
    public static IReadOnlyList<CollectedMeasurement<T>> Recorded<T>(MetricCollector<T> collector, string modelName, string? version = null, params (string Key, object? Value)[] tags)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(collector);
        ArgumentNullException.ThrowIfNull(tags);
        collector.RecordObservableInstruments();
        var all = collector.GetMeasurementSnapshot();
        var matching = all.Where(m =>
                Equals(m.Tags.GetValueOrDefault(ModelServingTelemetry.ModelNameTag), modelName)
                && (version is null || Equals(m.Tags.GetValueOrDefault(ModelServingTelemetry.ModelVersionTag), version))
                && tags.All(t => Equals(m.Tags.GetValueOrDefault(t.Key), t.Value)))
            .ToList();
        if (matching.Count > 0)
        {
            return matching;
        }

        var wanted = string.Join(", ", new[] { $"{ModelServingTelemetry.ModelNameTag}={modelName}" }
            .Concat(version is null ? [] : [$"{ModelServingTelemetry.ModelVersionTag}={version}"])
            .Concat(tags.Select(t => $"{t.Key}={t.Value}")));
        var seen = all.Count == 0
            ? "nothing"
            : string.Join(Environment.NewLine, all.Select(m => $"  {m.Value} {{{string.Join(", ", m.Tags.Select(t => $"{t.Key}={t.Value}"))}}}"));
        throw new ModelAssertionException($"Expected {collector.Instrument?.Name ?? "the instrument"} to record a measurement with {wanted}; it recorded:{Environment.NewLine}{seen}");
    }

    /// <summary>Describes a model's status in one paragraph, for failure messages.</summary>
    /// <param name="status">The status.</param>
    /// <returns>The description.</returns>
    public static string Describe(ModelStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Model '{status.Name}': primary {(status.PrimaryVersion is null ? "none" : $"'{status.PrimaryVersion}'")}");
        foreach (var version in status.Versions)
        {
            text.Append(CultureInfo.InvariantCulture, $"; version '{version.Version}' {version.State.ToString().ToLowerInvariant()}, {version.Role.ToString().ToLowerInvariant()}");
            if (version.SelfTests is { } report)
            {
                text.Append(CultureInfo.InvariantCulture, $", self-tests {report.Passed} passed {report.Failed} failed");
            }

            if (version.Error is { } error)
            {
                text.Append(CultureInfo.InvariantCulture, $", error: {error.Message}");
            }
        }

        if (status.LastError is { } last)
        {
            text.Append(CultureInfo.InvariantCulture, $"; last error: {last.Message}");
        }

        return text.Append('.').ToString();
    }
}
