namespace LyftServing.Docs.Tests.Infrastructure;

/// <summary>A Markdown table of a doc.</summary>
/// <param name="Where">The file and heading, for failure messages.</param>
/// <param name="Header">The header's cells.</param>
/// <param name="Rows">The rows' cells.</param>
public sealed record DocTable(string Where, string[] Header, IReadOnlyList<string[]> Rows)
{
    /// <summary>Gets a row's cell in a column, with Markdown code quotes removed.</summary>
    /// <param name="row">The row.</param>
    /// <param name="column">The column's header.</param>
    /// <returns>The cell's value.</returns>
    public string Cell(string[] row, string column)
    {
        var index = Array.IndexOf(Header, column);
        Assert.True(index >= 0, $"{Where}: no column '{column}' (columns: {string.Join(", ", Header)}).");
        return DocFiles.Unquote(row[index]);
    }

    /// <summary>Gets the values of a column, in order.</summary>
    /// <param name="column">The column's header.</param>
    /// <returns>The values.</returns>
    public IReadOnlyList<string> Column(string column) => [.. Rows.Select(r => Cell(r, column))];
}
