using System.Text.RegularExpressions;
using System.Xml.Linq;
using LyftServing.Server;
using Microsoft.Extensions.Hosting;
using Snapshooter.Xunit;

namespace LyftServing.Tool.Tests;

/// <summary>The sample server's registration, found by the tool in this assembly (<c>--setup</c>).</summary>
public sealed class SampleServerSetup : LyftServing.Testing.IModelServingSetup
{
    public void Configure(IHostApplicationBuilder builder) => builder.AddModelServerModels();
}

public partial class CliTests
{
    private static readonly string Setup = typeof(SampleServerSetup).Assembly.Location;
    private static readonly string Models = Path.Combine(AppContext.BaseDirectory, "models");
    private static readonly string Broken = Path.Combine(AppContext.BaseDirectory, "broken-store");

    [Fact]
    public async Task Test_SampleStoreWithTheServersSetup_ReportsEveryModelAndExitsZero()
    {
        var (exit, output, _) = await RunAsync("test", Models, "--setup", Setup);

        Assert.Equal(Cli.Passed, exit);
        Snapshot.Match(Normalize(output));
    }

    [Fact]
    public async Task Test_SampleStore_WritesALinePerModelVersionAsItFinishes()
    {
        var (_, _, progress) = await RunAsync("test", Models, "--setup", Setup);

        Assert.Equal(
            ["  Model 'driver_eta' version '2' passed 3 self-test cases", "  Model 'fraud_score' version '1' passed 2 self-test cases", "  Model 'tabular_mlp' version '1' passed 5 self-test cases", "  Model 'tabular_mlp_torchscript' version '1' passed 5 self-test cases", "  Model 'trip_risk' version '1' passed 8 self-test cases"],
            progress.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Test_BrokenStore_ReportsTheDifferenceAndExitsOne()
    {
        var (exit, output, _) = await RunAsync("test", Broken, "--setup", Setup);

        Assert.Equal(Cli.Failed, exit);
        Snapshot.Match(Normalize(output));
    }

    [Fact]
    public async Task Test_StoreWithoutTheModelsCode_FailsNamingTheMissingRuntime()
    {
        var (exit, output, _) = await RunAsync("test", Models);

        Assert.Equal(Cli.Failed, exit);
        Assert.Matches("PASS  tabular_mlp v1 +5 cases", output);
        Assert.Matches("PASS  tabular_mlp_torchscript v1 +5 cases", output);
        Assert.Contains("its model.json names the runtime 'driver-eta-linear', which is not registered", output, StringComparison.Ordinal);
        Assert.Contains("A runtime is missing: name the assembly that registers it with --runtime, or a setup with --setup.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_JUnitAndTrx_WritesBothWithTheCounts()
    {
        var directory = Directory.CreateTempSubdirectory("lyftserving-tool-").FullName;
        try
        {
            var junit = Path.Combine(directory, "results", "junit.xml");
            var trx = Path.Combine(directory, "results", "results.trx");

            var (exit, _, _) = await RunAsync("test", Broken, "--setup", Setup, "--junit", junit, "--trx", trx);

            Assert.Equal(Cli.Failed, exit);
            var suites = XDocument.Load(junit).Root!;
            Assert.Equal(("2", "1"), ((string)suites.Attribute("tests")!, (string)suites.Attribute("failures")!));
            var failure = suites.Descendants("failure").Single();
            Assert.Equal("driver_eta.v3", (string)failure.Parent!.Attribute("classname")!);
            Assert.Contains("expected 1500, got 1544.2", (string)failure.Attribute("message")!, StringComparison.Ordinal);

            XNamespace ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
            var run = XDocument.Load(trx).Root!;
            var counters = run.Descendants(ns + "Counters").Single();
            Assert.Equal(("2", "1", "1"), ((string)counters.Attribute("total")!, (string)counters.Attribute("passed")!, (string)counters.Attribute("failed")!));
            Assert.Equal(["Failed", "Passed"], run.Descendants(ns + "UnitTestResult").Select(r => (string)r.Attribute("outcome")!).Order());
            Assert.Equal(2, run.Descendants(ns + "UnitTest").Select(t => (string)t.Attribute("id")!).Distinct().Count());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(new string[0], "Usage: lyftserving test <store>")]
    [InlineData(new[] { "run", "models" }, "unknown command 'run'")]
    [InlineData(new[] { "test" }, "name the model store")]
    [InlineData(new[] { "test", "models", "--verbose" }, "unknown option '--verbose'")]
    [InlineData(new[] { "test", "models", "--junit" }, "--junit needs a value")]
    [InlineData(new[] { "test", "models", "other" }, "one store at a time")]
    [InlineData(new[] { "test", "no-such-store" }, "does not exist")]
    [InlineData(new[] { "test", "models", "--setup", "no-such.dll" }, "does not exist")]
    [InlineData(new[] { "publish", "models" }, "name the folder, the store, the model and the version")]
    [InlineData(new[] { "publish", "models", "--store", "/srv/models", "--model", "m", "--version", "1" }, "is not an object store location")]
    [InlineData(new[] { "publish", "models", "--store", "s3://b", "--model", "M!", "--version", "1" }, "the model 'M!' is not a valid name")]
    [InlineData(new[] { "publish", "models", "--store", "s3://b", "--model", "m", "--version", "1", "--force" }, "unknown option '--force'")]
    [InlineData(new[] { "publish", "no-such-folder", "--store", "s3://b", "--model", "m", "--version", "1" }, "does not exist")]
    public async Task Run_WrongCommandLine_ExitsTwoSayingWhatIsWrong(string[] args, string message)
    {
        var (exit, output, error) = await RunAsync([.. args.Select(a => a == "models" ? Models : a)]);

        Assert.Equal(Cli.UsageError, exit);
        Assert.Contains(message, output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Help_PrintsUsageAndExitsZero()
    {
        var (exit, output, _) = await RunAsync("--help");

        Assert.Equal(Cli.Passed, exit);
        Assert.StartsWith("Usage: lyftserving test <store> [options]", output, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await Cli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>The report without what differs between machines and runs: paths and the time taken.</summary>
    private static string Normalize(string report) =>
        Elapsed().Replace(report.Replace(AppContext.BaseDirectory, "<output>/", StringComparison.Ordinal).Replace(Setup, "<setup>", StringComparison.Ordinal), "(… s)");

    [GeneratedRegex(@"\(\d+\.\d s\)")]
    private static partial Regex Elapsed();
}
