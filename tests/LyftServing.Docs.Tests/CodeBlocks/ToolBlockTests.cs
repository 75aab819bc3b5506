using System.Text.RegularExpressions;
using LyftServing.Docs.Tests.Infrastructure;
using LyftServing.Tool;

namespace LyftServing.Docs.Tests.CodeBlocks;

/// <summary>
/// A shell block that runs <c>lyftserving test …</c> followed by an <c>output</c> block: the
/// command, run from the repository root, prints that report (the time it took left out) and
/// exits as the block's <c>exit=</c> says (default 0).
/// </summary>
[Collection(RunsAloneDefinition.Name)]
public partial class ToolBlockTests
{
    public static TheoryData<string> Commands =>
        [.. DocFiles.Files.SelectMany(DocFiles.Blocks).Where(b => IsToolCall(b) && DocFiles.Blocks(b.File).Any(n => n.Index == b.Index + 1 && n.IsOutput)).Select(b => $"{b.File}#{b.Index}")];

    /// <summary>Whether a block is a shell block with one <c>lyftserving test</c> command.</summary>
    /// <param name="block">The block.</param>
    /// <returns>Whether it is.</returns>
    public static bool IsToolCall(DocBlock block) =>
        block.Language is "sh" or "bash" or "shell" && block.Code.Trim().StartsWith("lyftserving test ", StringComparison.Ordinal) && !block.Code.Trim().Contains('\n', StringComparison.Ordinal);

    [Fact]
    public void Docs_ToolCalls_AreFound() => Assert.True(Commands.Count >= 2, $"only {Commands.Count} lyftserving calls with output found");

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task ToolBlock_RunFromTheRepositoryRoot_PrintsTheOutputShownAfterIt(string key)
    {
        var file = key[..key.LastIndexOf('#')];
        var index = int.Parse(key[(key.LastIndexOf('#') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var block = DocFiles.Blocks(file).Single(b => b.Index == index);
        var shown = DocFiles.Blocks(file).Single(b => b.Index == index + 1);
        var args = block.Code.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
        var expectedExit = int.Parse(shown.Attributes.GetValueOrDefault("exit", "0"), System.Globalization.CultureInfo.InvariantCulture);

        var previous = Directory.GetCurrentDirectory();
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exit;
        try
        {
            Directory.SetCurrentDirectory(DocFiles.RepositoryRoot);
            exit = await Cli.RunAsync(args, output, error);
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }

        Assert.True(
            Comparable(shown.Code) == Comparable(output.ToString()) && exit == expectedExit,
            $"{block} prints what {shown} does not show, or exits with {exit}, not {expectedExit}.\n--- shown:\n{shown.Code}--- printed:\n{output}{error}");
    }

    private static string Comparable(string report) =>
        string.Join('\n', Elapsed().Replace(report.Replace("\r", "", StringComparison.Ordinal), "(… s)").Split('\n').Select(l => l.TrimEnd())).Trim();

    [GeneratedRegex(@"\(\d+\.\d s\)")]
    private static partial Regex Elapsed();
}
