using LyftServing.Tests.Shared;

namespace LyftServing.Templates.Tests;

/// <summary>
/// `dotnet new lyftserving` from the packed template package (eng/pack.sh) makes a service that
/// restores from the local feed, builds, and passes its own tests (every self-test of its store).
/// </summary>
public class TemplateTests
{
    /// <summary>
    /// A feed packed earlier in the same run (.ci/run packs once and sets it); without it the
    /// test packs into a folder of its own.
    /// </summary>
    private const string FeedVariable = "LYFTSERVING_TEST_FEED";

    [Fact]
    public async Task DotnetNewLyftserving_FromThePackedTemplate_BuildsAndPassesItsTests()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var work = Directory.CreateTempSubdirectory("lyftserving-template-").FullName;
        try
        {
            var feed = Environment.GetEnvironmentVariable(FeedVariable) is { Length: > 0 } packed ? Path.GetFullPath(packed) : Path.Combine(work, "feed");
            if (!File.Exists(Path.Combine(feed, "version.txt")))
            {
                await RunAsync(RepositoryRoot.FullPath, "bash", ["eng/pack.sh", feed], timeout.Token);
            }

            var version = File.ReadAllText(Path.Combine(feed, "version.txt")).Trim();
            var hive = Path.Combine(work, "hive");
            await RunAsync(work, "dotnet", ["new", "install", Path.Combine(feed, $"LyftServing.Templates.{version}.nupkg"), "--debug:custom-hive", hive], timeout.Token);
            await RunAsync(work, "dotnet", ["new", "lyftserving", "-o", "Fares", "--debug:custom-hive", hive], timeout.Token);
            var service = Path.Combine(work, "Fares");

            var ci = await RunAsync(service, "bash", ["ci.sh"], timeout.Token);

            Assert.Contains("Passed!  - Failed:     0, Passed:     4", ci, StringComparison.Ordinal);
            Assert.Contains($"value=\"{feed}\"", File.ReadAllText(Path.Combine(service, "nuget.config")), StringComparison.Ordinal);
            Assert.Contains($"<LyftServingVersion>{version}</LyftServingVersion>", File.ReadAllText(Path.Combine(service, "Directory.Build.props")), StringComparison.Ordinal);
            Assert.All(
                ["Fares.slnx", "Dockerfile", "ci.sh", "src/Fares/Program.cs", "src/Fares/FaresModels.cs", "models/fare/1/testdata.json", "tests/Fares.Tests/SelfTests.cs"],
                file => Assert.True(File.Exists(Path.Combine(service, file)), $"{file} was not created"));
            Assert.Single(Directory.GetFiles(Path.Combine(service, "artifacts", "test-results"), "*.trx"));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<string> RunAsync(string directory, string command, string[] arguments, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await Commands.RunAsync(directory, command, arguments, cancellationToken);
        Assert.True(exitCode == 0, $"'{command} {string.Join(' ', arguments)}' in {directory} exited with {exitCode}:\n{output}");
        return output;
    }
}
