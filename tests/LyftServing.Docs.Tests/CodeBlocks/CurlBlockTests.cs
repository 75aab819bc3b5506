using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LyftServing.Docs.Tests.Infrastructure;
using LyftServing.Tests.Shared;
using Microsoft.AspNetCore.TestHost;

namespace LyftServing.Docs.Tests.CodeBlocks;

/// <summary>
/// A shell block with one <c>curl</c> call to the sample server (<c>http://127.0.0.1:5080</c>)
/// followed by an <c>output</c> block: the sample server, composed as its Program composes it and
/// serving its bundled store, answers the call with what the doc shows (JSON compared as JSON,
/// with <c>traceId</c>, which differs on every call, left out).
/// </summary>
public partial class CurlBlockTests
{
    public static TheoryData<string> Calls =>
        [.. DocFiles.Files.SelectMany(DocFiles.Blocks).Where(b => IsSampleServerCall(b) && DocFiles.Blocks(b.File).Any(n => n.Index == b.Index + 1 && n.IsOutput)).Select(b => $"{b.File}#{b.Index}")];

    /// <summary>Whether a block is a shell block with exactly one curl call to the sample server.</summary>
    /// <param name="block">The block.</param>
    /// <returns>Whether it is.</returns>
    public static bool IsSampleServerCall(DocBlock block) =>
        block.Language is "sh" or "bash" or "shell" && Curl().Count(Join(block.Code)) == 1;

    [Fact]
    public void Docs_SampleServerCalls_AreFound() => Assert.True(Calls.Count >= 4, $"only {Calls.Count} curl calls with output found");

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task CurlBlock_SentToTheSampleServer_AnswersTheOutputShownAfterIt(string key)
    {
        var file = key[..key.LastIndexOf('#')];
        var index = int.Parse(key[(key.LastIndexOf('#') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var block = DocFiles.Blocks(file).Single(b => b.Index == index);
        var shown = DocFiles.Blocks(file).Single(b => b.Index == index + 1);
        var call = Curl().Match(Join(block.Code));
        var path = call.Groups["path"].Value;
        var data = Body().Match(call.Value);
        var body = data.Success ? data.Groups["body"].Value : null;

        await using var app = await SampleServerApp.StartAsync();
        using var client = app.GetTestClient();
        using var response = body is null
            ? await client.GetAsync(path)
            : await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var answer = await response.Content.ReadAsStringAsync();

        Assert.True(
            Comparable(shown.Code) == Comparable(answer),
            $"{block} answers what {shown} does not show.\n--- shown:\n{shown.Code}--- answered ({(int)response.StatusCode}):\n{answer}");
    }

    private static string Comparable(string text)
    {
        try
        {
            var node = JsonNode.Parse(text);
            if (node is JsonObject json)
            {
                json.Remove("traceId");
            }

            return node?.ToJsonString(new JsonSerializerOptions { WriteIndented = false }) ?? "null";
        }
        catch (JsonException)
        {
            return text.Trim();
        }
    }

    private static string Join(string shell) => shell.Replace("\\\n", " ", StringComparison.Ordinal);

    [GeneratedRegex(@"curl\s[^\n]*?http://127\.0\.0\.1:5080(?<path>/[^\s']*)[^\n]*")]
    private static partial Regex Curl();

    [GeneratedRegex(@"\s-d\s+'(?<body>[^']*)'")]
    private static partial Regex Body();
}
