namespace LyftServing.Docs.Tests.Infrastructure;

/// <summary>
/// A fenced code block of a Markdown file. Its info string is a language and optional words:
/// <c>```json file=models/fare/1/testdata.json</c> (a file the doc asks the reader to create) or
/// <c>```text output</c> (what the block before it prints).
/// </summary>
/// <param name="File">The Markdown file, relative to the repository root, with '/' separators.</param>
/// <param name="Line">The 1-based line of the opening fence.</param>
/// <param name="Index">The block's 1-based position among the file's blocks.</param>
/// <param name="Language">The first word of the info string, lower case.</param>
/// <param name="Attributes">The other words: <c>key=value</c>, or a lone word mapped to "".</param>
/// <param name="Code">The block's text, ending with a line break.</param>
public sealed record DocBlock(string File, int Line, int Index, string Language, IReadOnlyDictionary<string, string> Attributes, string Code)
{
    /// <summary>Gets whether the block is C#.</summary>
    public bool IsCSharp => Language is "csharp" or "cs" or "c#";

    /// <summary>Gets whether the block shows the output of the block before it.</summary>
    public bool IsOutput => Attributes.ContainsKey("output");

    /// <summary>Gets the file the doc asks the reader to create with this block's text, if any.</summary>
    public string? FileName => Attributes.GetValueOrDefault("file");

    /// <summary>Gets where the block is, as a test's display name and a failure's first words: <c>docs/x.md, block 3 (line 42)</c>.</summary>
    public override string ToString() => $"{File}, block {Index} (line {Line})";
}
