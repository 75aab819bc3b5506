using System.Globalization;
using LyftServing.Testing;

namespace LyftServing.Tool;

/// <summary>The readable report: a line per model version, the failures with their differences, a summary.</summary>
internal static class ConsoleReport
{
    public static async Task WriteAsync(TextWriter output, IReadOnlyList<ModelSelfTestCase> cases, TimeSpan elapsed)
    {
        var width = cases.Select(c => Label(c).Length).DefaultIfEmpty(0).Max();
        foreach (var version in cases.GroupBy(Label))
        {
            var failed = version.Count(c => !c.Passed);
            var line = failed == 0
                ? $"PASS  {version.Key.PadRight(width)}  {Cases(version.Count())}"
                : $"FAIL  {version.Key.PadRight(width)}  {failed} of {Cases(version.Count())} failed";
            await output.WriteLineAsync(line).ConfigureAwait(false);
        }

        var failures = cases.Where(c => !c.Passed).ToList();
        if (failures.Count > 0)
        {
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync("Failures:").ConfigureAwait(false);
            foreach (var failure in failures)
            {
                await output.WriteLineAsync($"  {Label(failure)} '{failure.CaseName}':").ConfigureAwait(false);
                foreach (var line in (failure.Message ?? "failed").Split('\n'))
                {
                    await output.WriteLineAsync($"    {line.TrimEnd('\r')}").ConfigureAwait(false);
                }
            }
        }

        if (failures.Any(f => f.Message?.Contains("which is not registered", StringComparison.Ordinal) == true))
        {
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync("A runtime is missing: name the assembly that registers it with --runtime, or a setup with --setup.").ConfigureAwait(false);
        }

        var models = cases.Select(c => c.ModelName).Distinct().Count();
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"{models} model{(models == 1 ? "" : "s")}, {Cases(cases.Count)}: {cases.Count - failures.Count} passed, {failures.Count} failed ({elapsed.TotalSeconds:0.0} s)")).ConfigureAwait(false);
    }

    private static string Label(ModelSelfTestCase c) => c.Version is null ? c.ModelName : $"{c.ModelName} v{c.Version}";

    private static string Cases(int count) => count == 1 ? "1 case" : $"{count} cases";
}
