using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using LyftServing.Internal;

namespace LyftServing;

/// <summary>
/// Runs a loaded model's self-tests: the cases from its code (<see cref="IModelTestData{TFeatures, TOutput}"/>)
/// and from the artifact's <c>testdata.json</c>. The host runs it after every load; tests and CI
/// can run it directly.
/// </summary>
/// <remarks>
/// <c>testdata.json</c> holds a JSON array of cases:
/// <c>[{"name": "short trip", "features": {…}, "expected": …, "tolerance": 1e-5}]</c>, where
/// <c>name</c> and <c>tolerance</c> are optional and <c>features</c>/<c>expected</c> bind like
/// JSON features and outputs (see <see cref="ModelJsonOptions"/>).
/// </remarks>
public static class SelfTestRunner
{
    /// <summary>Runs the self-tests of a loaded model.</summary>
    /// <typeparam name="TFeatures">The model's features type.</typeparam>
    /// <typeparam name="TOutput">The model's output type.</typeparam>
    /// <param name="model">A model whose <c>LoadAsync</c> has completed.</param>
    /// <param name="artifact">The artifact it loaded, whose <c>testdata.json</c> is read if present; <see langword="null"/> for code cases only.</param>
    /// <param name="defaultTolerance">The tolerance of cases that set none.</param>
    /// <param name="jsonOptions">How to bind <c>testdata.json</c>; <see langword="null"/> uses <see cref="ModelJsonOptions"/>' defaults.</param>
    /// <param name="timeProvider">The clock for <see cref="SelfTestReport.RanAt"/>; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="cancellationToken">Cancels the run between cases.</param>
    /// <returns>The report; a case whose prediction throws fails with the exception's type and message.</returns>
    /// <exception cref="InvalidDataException"><c>testdata.json</c> is not valid for the model's types.</exception>
    public static async Task<SelfTestReport> RunAsync<TFeatures, TOutput>(
        IModel<TFeatures, TOutput> model,
        ModelArtifact? artifact,
        double defaultTolerance = 1e-5,
        JsonSerializerOptions? jsonOptions = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        jsonOptions ??= new ModelJsonOptions().SerializerOptions;
        timeProvider ??= TimeProvider.System;
        var ranAt = timeProvider.GetUtcNow();
        var started = timeProvider.GetTimestamp();

        var cases = new List<ModelTestCase<TFeatures, TOutput>>();
        if (model is IModelTestData<TFeatures, TOutput> testData)
        {
            cases.AddRange(testData.TestData);
        }

        if (artifact is not null)
        {
            cases.AddRange(await ReadTestDataAsync<TFeatures, TOutput>(artifact, jsonOptions, cancellationToken).ConfigureAwait(false));
        }

        var outputInfo = (JsonTypeInfo<TOutput>)jsonOptions.GetTypeInfo(typeof(TOutput));
        var results = new List<SelfTestCaseResult>(cases.Count);
        JsonElement? exampleFeatures = null, exampleOutput = null;
        for (var i = 0; i < cases.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var testCase = cases[i];
            var name = testCase.Name ?? $"case {i + 1}";
            try
            {
                var actual = model.Predict(testCase.Features);
                var tolerance = testCase.Tolerance ?? defaultTolerance;
                var passed = OutputComparer.AreEquivalent(testCase.Expected, actual, tolerance, outputInfo, out var difference);
                results.Add(passed ? new SelfTestCaseResult(name, true) : new SelfTestCaseResult(name, false, difference));
                if (passed && exampleFeatures is null)
                {
                    (exampleFeatures, exampleOutput) = Example(testCase.Features, actual, jsonOptions, outputInfo);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                results.Add(new SelfTestCaseResult(name, false, $"Predict threw {ex.GetType().Name}: {ex.Message}"));
            }
        }

        return new SelfTestReport
        {
            Cases = results,
            RanAt = ranAt,
            Duration = timeProvider.GetElapsedTime(started),
            ExampleFeatures = exampleFeatures,
            ExampleOutput = exampleOutput,
        };
    }

    /// <summary>A passing case as JSON, for documentation; none when it cannot be written (a NaN output).</summary>
    private static (JsonElement?, JsonElement?) Example<TFeatures, TOutput>(TFeatures features, TOutput output, JsonSerializerOptions jsonOptions, JsonTypeInfo<TOutput> outputInfo)
    {
        try
        {
            return (JsonSerializer.SerializeToElement(features, (JsonTypeInfo<TFeatures>)jsonOptions.GetTypeInfo(typeof(TFeatures))), JsonSerializer.SerializeToElement(output, outputInfo));
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            return (null, null);
        }
    }

    internal static string Summarize(SelfTestReport report)
    {
        var first = report.Cases.FirstOrDefault(c => !c.Passed);
        return first is null
            ? $"all {report.Cases.Count} cases passed"
            : $"{report.Failed} of {report.Cases.Count} cases failed; first: '{first.Name}': {first.Message}";
    }

    private static async Task<IReadOnlyList<ModelTestCase<TFeatures, TOutput>>> ReadTestDataAsync<TFeatures, TOutput>(
        ModelArtifact artifact, JsonSerializerOptions jsonOptions, CancellationToken cancellationToken)
    {
        if (!artifact.Files.Contains(ModelArtifact.TestDataFileName, StringComparer.Ordinal))
        {
            return [];
        }

        var stream = File.OpenRead(artifact.GetPath(ModelArtifact.TestDataFileName));
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                var documents = await JsonSerializer.DeserializeAsync<List<TestCaseDocument<TFeatures, TOutput>>>(stream, jsonOptions, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidDataException($"{ModelArtifact.TestDataFileName} must hold a JSON array of cases, not null.");
                return [.. documents.Select((d, i) => new ModelTestCase<TFeatures, TOutput>(
                    d.Features ?? throw new InvalidDataException($"{ModelArtifact.TestDataFileName}: case {i + 1} has no features."),
                    d.Expected!,
                    d.Tolerance,
                    d.Name ?? $"{ModelArtifact.TestDataFileName} case {i + 1}"))];
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{ModelArtifact.TestDataFileName} is not valid at '{ex.Path}': {ex.Message}", ex);
            }
        }
    }

    private sealed class TestCaseDocument<TFeatures, TOutput>
    {
        public string? Name { get; set; }

        [JsonRequired]
        public TFeatures? Features { get; set; }

        [JsonRequired]
        public TOutput? Expected { get; set; }

        public double? Tolerance { get; set; }
    }
}
