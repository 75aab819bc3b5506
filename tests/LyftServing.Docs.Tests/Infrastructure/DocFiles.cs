using System.Text;
using System.Text.RegularExpressions;

namespace LyftServing.Docs.Tests.Infrastructure;

/// <summary>The checked Markdown files of the repository and their code blocks and tables.</summary>
public static partial class DocFiles
{
    private static readonly Lazy<IReadOnlyList<string>> AllFiles = new(FindFiles);

    /// <summary>Gets the repository root.</summary>
    public static string RepositoryRoot => LyftServing.Tests.Shared.RepositoryRoot.FullPath;

    /// <summary>
    /// Gets the checked files: every Markdown file under docs/, the README, and every package's and
    /// sample's README, relative to the root with '/' separators.
    /// </summary>
    public static IReadOnlyList<string> Files => AllFiles.Value;

    /// <summary>Reads a file's text.</summary>
    /// <param name="file">The file, relative to the root.</param>
    /// <returns>The text.</returns>
    public static string Read(string file) => System.IO.File.ReadAllText(Path.Combine(RepositoryRoot, file));

    /// <summary>Gets the fenced code blocks of a file, in order.</summary>
    /// <param name="file">The file, relative to the root.</param>
    /// <returns>The blocks.</returns>
    public static IReadOnlyList<DocBlock> Blocks(string file)
    {
        var lines = Read(file).Split('\n');
        var blocks = new List<DocBlock>();
        for (var i = 0; i < lines.Length; i++)
        {
            var open = Fence().Match(lines[i]);
            if (!open.Success)
            {
                continue;
            }

            var indent = open.Groups["indent"].Value.Length;
            var fence = open.Groups["fence"].Value;
            var words = open.Groups["info"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var code = new StringBuilder();
            var start = i;
            for (i++; i < lines.Length && lines[i].TrimEnd('\r').Trim() != fence; i++)
            {
                var line = lines[i].TrimEnd('\r');
                code.Append(line.Length >= indent && string.IsNullOrWhiteSpace(line[..indent]) ? line[indent..] : line.TrimStart()).Append('\n');
            }

            var attributes = words.Skip(1).Select(w => w.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal);
            blocks.Add(new DocBlock(file, start + 1, blocks.Count + 1, words.FirstOrDefault()?.ToLowerInvariant() ?? "", attributes, code.ToString()));
        }

        return blocks;
    }

    /// <summary>Gets every C# block of every checked file.</summary>
    /// <returns>The blocks.</returns>
    public static IEnumerable<DocBlock> CSharpBlocks() => Files.SelectMany(Blocks).Where(b => b.IsCSharp);

    /// <summary>
    /// Gets the rows of the first table after a heading (or after the start of the file when
    /// <paramref name="heading"/> is <see langword="null"/>) whose header starts with <paramref name="firstColumn"/>,
    /// as cells with Markdown code quotes removed.
    /// </summary>
    /// <param name="file">The file, relative to the root.</param>
    /// <param name="heading">The text of the heading the table follows (without the #s), or <see langword="null"/>.</param>
    /// <param name="firstColumn">The first column's header.</param>
    /// <param name="occurrence">Which such table: 1 for the first.</param>
    /// <returns>The table.</returns>
    public static DocTable Table(string file, string? heading, string firstColumn, int occurrence = 1)
    {
        var lines = Read(file).Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var i = 0;
        if (heading is not null)
        {
            while (i < lines.Length && !(lines[i].StartsWith('#') && lines[i].TrimStart('#').Trim() == heading))
            {
                i++;
            }

            Assert.True(i < lines.Length, $"{file}: no heading '{heading}'.");
        }

        for (var found = 0; ; i++)
        {
            while (i < lines.Length && !(lines[i].StartsWith('|') && Cells(lines[i])[0] == firstColumn))
            {
                i++;
            }

            if (i >= lines.Length || ++found == occurrence)
            {
                break;
            }
        }

        Assert.True(i < lines.Length, $"{file}: no table with a first column '{firstColumn}'{(heading is null ? "" : $" after '{heading}'")}.");
        var header = Cells(lines[i]);
        var rows = new List<string[]>();
        for (i += 2; i < lines.Length && lines[i].StartsWith('|'); i++)
        {
            rows.Add(Cells(lines[i]));
        }

        return new DocTable($"{file}{(heading is null ? "" : $" ({heading}{(occurrence > 1 ? $", table {occurrence}" : "")})")}", header, rows);
    }

    /// <summary>Removes Markdown code quotes around a cell's value.</summary>
    /// <param name="cell">The cell.</param>
    /// <returns>The value.</returns>
    public static string Unquote(string cell) => cell.Length > 1 && cell[0] == '`' && cell[^1] == '`' && cell.Count(c => c == '`') == 2 ? cell[1..^1] : cell;

    private static string[] Cells(string line) =>
        [.. line.Trim().Trim('|').Split('|').Select(c => c.Trim())];

    private static IReadOnlyList<string> FindFiles()
    {
        var root = RepositoryRoot;
        IEnumerable<string> files =
        [
            .. Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories),
            Path.Combine(root, "README.md"),
            .. Directory.EnumerateDirectories(Path.Combine(root, "src")).Select(d => Path.Combine(d, "README.md")),
            .. Directory.EnumerateDirectories(Path.Combine(root, "samples")).Select(d => Path.Combine(d, "README.md")),
            .. Directory.Exists(Path.Combine(root, "templates"))
                ? Directory.EnumerateFiles(Path.Combine(root, "templates"), "README.md", SearchOption.AllDirectories)
                : [],
        ];
        return [.. files.Where(System.IO.File.Exists)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];
    }

    [GeneratedRegex(@"^(?<indent>\s*)(?<fence>```+)(?<info>[^`]*)$")]
    private static partial Regex Fence();
}
