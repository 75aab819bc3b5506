using System.Globalization;
using System.Xml.Linq;
using LyftServing.Testing;

namespace LyftServing.Tool;

/// <summary>JUnit XML: a test suite per model, a test case per self-test case (classname <c>model.vVersion</c>).</summary>
internal static class JUnitReport
{
    public static void Write(string path, string store, IReadOnlyList<ModelSelfTestCase> cases, TimeSpan elapsed)
    {
        var suites = cases.GroupBy(c => c.ModelName).Select(model => new XElement(
            "testsuite",
            new XAttribute("name", model.Key),
            new XAttribute("tests", model.Count()),
            new XAttribute("failures", model.Count(c => !c.Passed)),
            new XAttribute("errors", 0),
            new XAttribute("skipped", 0),
            model.Select(c => new XElement(
                "testcase",
                new XAttribute("classname", c.Version is null ? c.ModelName : $"{c.ModelName}.v{c.Version}"),
                new XAttribute("name", c.CaseName),
                new XAttribute("time", "0"),
                c.Passed ? null : new XElement("failure", new XAttribute("message", FirstLine(c.Message)), c.Message ?? "failed")))));
        var document = new XDocument(new XElement(
            "testsuites",
            new XAttribute("name", $"lyftserving test {store}"),
            new XAttribute("tests", cases.Count),
            new XAttribute("failures", cases.Count(c => !c.Passed)),
            new XAttribute("time", elapsed.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)),
            suites));
        Save(document, path);
    }

    internal static void Save(XDocument document, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        document.Save(path);
    }

    internal static string FirstLine(string? message) => (message ?? "failed").Split('\n')[0].TrimEnd('\r');
}
