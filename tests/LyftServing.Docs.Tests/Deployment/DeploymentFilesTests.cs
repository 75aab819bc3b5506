using System.Globalization;
using System.Text.RegularExpressions;
using LyftServing.Docs.Tests.Reference;
using LyftServing.Tests.Shared;
using Microsoft.AspNetCore.TestHost;
using YamlDotNet.RepresentationModel;

namespace LyftServing.Docs.Tests.Deployment;

/// <summary>
/// The deployment files (deploy/Dockerfile, deploy/kubernetes/*.yaml) against the sample server:
/// the probes and the health check call paths the server answers, on the port it listens on, and
/// every setting the ConfigMap passes is a known option. Docker and a cluster cannot run here, so
/// the files are checked statically, the paths against the running server.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    private static readonly string Deploy = Path.Combine(RepositoryRoot.FullPath, "deploy");

    [Fact]
    public async Task Deployment_Probes_CallPathsTheServerAnswersOnItsContainerPort()
    {
        var container = Container();
        var ports = ((YamlSequenceNode)container["ports"]).Cast<YamlMappingNode>().ToDictionary(p => Scalar(p, "name"), p => int.Parse(Scalar(p, "containerPort"), CultureInfo.InvariantCulture));
        var probes = new[] { "readinessProbe", "livenessProbe", "startupProbe" }
            .ToDictionary(p => p, p => (YamlMappingNode)((YamlMappingNode)container[p])["httpGet"]);

        Assert.Equal("/health/ready", Scalar(probes["readinessProbe"], "path"));
        Assert.Equal("/health/live", Scalar(probes["livenessProbe"], "path"));
        Assert.All(probes.Values, p => Assert.Equal(DockerfilePort(), ports[Scalar(p, "port")]));

        await using var app = await SampleServerApp.StartAsync();
        using var client = app.GetTestClient();
        foreach (var path in probes.Values.Select(p => Scalar(p, "path")).Append(DockerHealthCheckPath()).Distinct())
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public void Deployment_Termination_PreStopAndDrainFitTheGracePeriod()
    {
        var spec = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)Document("deployment.yaml")["spec"])["template"])["spec"];
        var grace = int.Parse(Scalar(spec, "terminationGracePeriodSeconds"), CultureInfo.InvariantCulture);
        var preStop = (YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)Container()["lifecycle"])["preStop"])["exec"])["command"];
        var sleep = int.Parse(((YamlScalarNode)preStop.Children[1]).Value!, CultureInfo.InvariantCulture);
        var drain = TimeSpan.Parse(ConfigMap()["ModelServing__DrainTimeout"], CultureInfo.InvariantCulture);

        Assert.Equal("sleep", ((YamlScalarNode)preStop.Children[0]).Value);
        Assert.True(sleep + drain.TotalSeconds < grace, $"preStop {sleep} s + DrainTimeout {drain.TotalSeconds} s must fit terminationGracePeriodSeconds {grace} s");
        Assert.Equal("true", Scalar((YamlMappingNode)spec["securityContext"], "runAsNonRoot"));
    }

    [Fact]
    public void ConfigMap_EveryKey_IsAnOptionOfModelServingOrItsStore()
    {
        var known = OptionKeys.Of(new ModelServingOptions()).Keys
            .Concat(OptionKeys.Of(new Stores.S3.S3ModelStoreOptions()).Keys.Select(k => "S3:" + k))
            .Concat(OptionKeys.Of(new Stores.AzureBlob.AzureBlobModelStoreOptions()).Keys.Select(k => "AzureBlob:" + k))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        var unknown = ConfigMap().Keys
            .Select(k => k.StartsWith("ModelServing__", StringComparison.Ordinal) ? k["ModelServing__".Length..].Replace("__", ":", StringComparison.Ordinal) : "(not under ModelServing) " + k)
            .Where(k => !known.Contains(k))
            .ToList();

        Assert.True(unknown.Count == 0, "deploy/kubernetes/configmap.yaml: unknown settings: " + string.Join(", ", unknown));
    }

    [Fact]
    public void Dockerfile_RunsAsNonRootOnTheExposedPort()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Deploy, "Dockerfile"));

        Assert.Matches(@"(?m)^USER \$APP_UID$", dockerfile);
        Assert.Equal(DockerfilePort(), int.Parse(ExposeRegex().Match(dockerfile).Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.Equal(2, Regex.Count(dockerfile, "(?m)^FROM "));
    }

    private static YamlMappingNode Document(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Deploy, "kubernetes", file));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Container()
    {
        var spec = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)Document("deployment.yaml")["spec"])["template"])["spec"];
        return (YamlMappingNode)((YamlSequenceNode)spec["containers"]).Children.Single();
    }

    private static Dictionary<string, string> ConfigMap() =>
        ((YamlMappingNode)Document("configmap.yaml")["data"]).Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value!);

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    /// <summary>The port of the Dockerfile's <c>Urls</c> (which wins over appsettings.json's loopback Urls).</summary>
    private static int DockerfilePort() =>
        int.Parse(UrlsRegex().Match(File.ReadAllText(Path.Combine(Deploy, "Dockerfile"))).Groups[1].Value, CultureInfo.InvariantCulture);

    private static string DockerHealthCheckPath() =>
        HealthCheckRegex().Match(File.ReadAllText(Path.Combine(Deploy, "Dockerfile"))).Groups[1].Value;

    [GeneratedRegex(@"Urls=http://\+:(\d+)")]
    private static partial Regex UrlsRegex();

    [GeneratedRegex(@"(?m)^EXPOSE (\d+)$")]
    private static partial Regex ExposeRegex();

    [GeneratedRegex(@"curl -fsS http://127\.0\.0\.1:\d+(/[a-z/]+)")]
    private static partial Regex HealthCheckRegex();
}
