using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using LyftServing.Testing;

namespace LyftServing.Tool;

/// <summary>A TRX file (Visual Studio's test results format, read by Azure DevOps and others): a unit test per self-test case.</summary>
internal static class TrxReport
{
    private static readonly XNamespace Ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
    private const string UnitTestType = "13cdc9d9-ddb5-4fa4-a97d-d965ccfc6d4b";
    private const string ResultsNotInAList = "8c84fa94-04c1-424b-9868-57a2d4851a1d";

    public static void Write(string path, string store, IReadOnlyList<ModelSelfTestCase> cases, TimeSpan elapsed)
    {
        var finish = TimeProvider.System.GetUtcNow();
        var start = finish - elapsed;
        var time = (DateTimeOffset t) => t.ToString("o", CultureInfo.InvariantCulture);
        var tests = cases.Select(c => (Case: c, Id: StableGuid(c.ToString()), Execution: Guid.NewGuid(), Name: c.ToString())).ToList();
        var failed = cases.Count(c => !c.Passed);
        var document = new XDocument(new XElement(
            Ns + "TestRun",
            new XAttribute("id", Guid.NewGuid()),
            new XAttribute("name", $"lyftserving test {store}"),
            new XElement(Ns + "Times", new XAttribute("creation", time(start)), new XAttribute("start", time(start)), new XAttribute("finish", time(finish))),
            new XElement(Ns + "Results", tests.Select(t => new XElement(
                Ns + "UnitTestResult",
                new XAttribute("executionId", t.Execution),
                new XAttribute("testId", t.Id),
                new XAttribute("testName", t.Name),
                new XAttribute("computerName", Environment.MachineName),
                new XAttribute("duration", "00:00:00"),
                new XAttribute("startTime", time(start)),
                new XAttribute("endTime", time(finish)),
                new XAttribute("testType", UnitTestType),
                new XAttribute("outcome", t.Case.Passed ? "Passed" : "Failed"),
                new XAttribute("testListId", ResultsNotInAList),
                t.Case.Passed ? null : new XElement(Ns + "Output", new XElement(Ns + "ErrorInfo", new XElement(Ns + "Message", t.Case.Message ?? "failed")))))),
            new XElement(Ns + "TestDefinitions", tests.Select(t => new XElement(
                Ns + "UnitTest",
                new XAttribute("name", t.Name),
                new XAttribute("storage", store),
                new XAttribute("id", t.Id),
                new XElement(Ns + "Execution", new XAttribute("id", t.Execution)),
                new XElement(
                    Ns + "TestMethod",
                    new XAttribute("codeBase", store),
                    new XAttribute("adapterTypeName", "executor://lyftserving/"),
                    new XAttribute("className", t.Case.Version is null ? t.Case.ModelName : $"{t.Case.ModelName}.v{t.Case.Version}"),
                    new XAttribute("name", t.Case.CaseName))))),
            new XElement(Ns + "TestEntries", tests.Select(t => new XElement(
                Ns + "TestEntry",
                new XAttribute("testId", t.Id),
                new XAttribute("executionId", t.Execution),
                new XAttribute("testListId", ResultsNotInAList)))),
            new XElement(Ns + "TestLists", new XElement(Ns + "TestList", new XAttribute("name", "Results Not in a List"), new XAttribute("id", ResultsNotInAList))),
            new XElement(
                Ns + "ResultSummary",
                new XAttribute("outcome", failed == 0 ? "Completed" : "Failed"),
                new XElement(
                    Ns + "Counters",
                    new XAttribute("total", cases.Count),
                    new XAttribute("executed", cases.Count),
                    new XAttribute("passed", cases.Count - failed),
                    new XAttribute("failed", failed),
                    new XAttribute("error", 0),
                    new XAttribute("timeout", 0),
                    new XAttribute("aborted", 0)))));
        JUnitReport.Save(document, path);
    }

    /// <summary>The same case gets the same test id in every run, so CI systems track its history.</summary>
    private static Guid StableGuid(string name) => new(SHA256.HashData(Encoding.UTF8.GetBytes(name)).AsSpan(0, 16));
}
