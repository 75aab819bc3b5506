using System.Text.Json;

namespace LyftServing;

/// <summary>The results of running a version's self-tests.</summary>
public sealed class SelfTestReport
{
    /// <summary>Gets the number of cases that passed.</summary>
    public int Passed => Cases.Count(c => c.Passed);

    /// <summary>Gets the number of cases that failed.</summary>
    public int Failed => Cases.Count - Passed;

    /// <summary>Gets whether every case passed (also true when there were no cases).</summary>
    public bool Succeeded => Failed == 0;

    /// <summary>Gets each case's result, in the order they ran (cases from code first, then <c>testdata.json</c>).</summary>
    public required IReadOnlyList<SelfTestCaseResult> Cases { get; init; }

    /// <summary>Gets when the run started.</summary>
    public required DateTimeOffset RanAt { get; init; }

    /// <summary>Gets how long the run took.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>
    /// Gets the features of the first case that passed, as JSON (written with the model's JSON
    /// options), or <see langword="null"/> when none passed: an example of a call that works, for
    /// documentation such as an OpenAPI document.
    /// </summary>
    public JsonElement? ExampleFeatures { get; init; }

    /// <summary>Gets the output of the model on <see cref="ExampleFeatures"/>, as JSON.</summary>
    public JsonElement? ExampleOutput { get; init; }
}
