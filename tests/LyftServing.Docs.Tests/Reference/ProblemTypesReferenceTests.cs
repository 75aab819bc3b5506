using System.Reflection;
using System.Xml.Linq;
using LyftServing.AspNetCore;
using LyftServing.Docs.Tests.Infrastructure;

namespace LyftServing.Docs.Tests.Reference;

/// <summary>
/// The error tables name every problem type of <see cref="ModelServingProblemTypes"/>, and only
/// those, each with the status its constant's documentation gives.
/// </summary>
public class ProblemTypesReferenceTests
{
    [Fact]
    public void HttpHowTo_ErrorTable_MatchesModelServingProblemTypes() =>
        AssertMatches(DocFiles.Table("docs/how-to/expose-models-over-http.md", "3. Handle errors", "status"), "`type`", prefix: "");

    [Fact]
    public void AspNetCoreReadme_ErrorTable_MatchesModelServingProblemTypes() =>
        AssertMatches(DocFiles.Table("src/LyftServing.AspNetCore/README.md", "Errors", "status"), "`type` (`https://lyftserving.dev/problems/…`)", prefix: ModelServingProblemTypes.BaseUri);

    private static void AssertMatches(DocTable table, string typeColumn, string prefix)
    {
        var statuses = StatusOfEachType();
        var documented = table.Rows.Select(r => (Type: prefix + table.Cell(r, typeColumn), Status: table.Cell(r, "status"))).ToList();

        var problems = documented.Where(d => !statuses.ContainsKey(d.Type)).Select(d => $"{table.Where}: '{d.Type}' is not a ModelServingProblemTypes constant.")
            .Concat(documented.Where(d => statuses.TryGetValue(d.Type, out var s) && s != d.Status).Select(d => $"{table.Where}: '{d.Type}' is answered with {statuses[d.Type]}, not {d.Status}."))
            .Concat(statuses.Keys.Except(documented.Select(d => d.Type)).Select(t => $"{table.Where}: the problem type '{t}' is not in the table."))
            .ToList();

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    /// <summary>Each problem type → its status, the number its constant's XML documentation starts with ("400: …").</summary>
    private static Dictionary<string, string> StatusOfEachType()
    {
        var xml = XDocument.Load(Path.Combine(AppContext.BaseDirectory, "LyftServing.AspNetCore.xml"));
        var summaries = xml.Descendants("member").ToDictionary(m => (string)m.Attribute("name")!, m => ((string?)m.Element("summary"))?.Trim() ?? "");
        return typeof(ModelServingProblemTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.Name != nameof(ModelServingProblemTypes.BaseUri))
            .ToDictionary(
                f => (string)f.GetRawConstantValue()!,
                f => summaries[$"F:{typeof(ModelServingProblemTypes).FullName}.{f.Name}"].Split(':', 2)[0]);
    }
}
