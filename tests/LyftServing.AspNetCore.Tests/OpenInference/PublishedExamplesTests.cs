using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LyftServing.AspNetCore.Tests.Infrastructure;

namespace LyftServing.AspNetCore.Tests.OpenInference;

/// <summary>
/// A client that was not written here: requests copied verbatim from the published Open Inference
/// Protocol (<c>Published/</c>), sent to the protocol's endpoints over a real ONNX model with the
/// example's inputs and outputs (<c>mymodel</c>).
/// </summary>
public sealed class PublishedExamplesTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() =>
        _app = await TestApp.StartAsync(
            (serving, _) => serving.AddOnnxModel("mymodel", m => m.FromStore(Path.Combine(AppContext.BaseDirectory, "assets", "models"))),
            app => app.MapOpenInferenceProtocol());

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task InferenceRequestExample_AsPublished_Answers400NamingTheInputWhoseDataDoesNotFillItsShape()
    {
        using var response = await PostAsync("/v2/models/mymodel/infer", await ReadAsync("inference_request.json"));

        var snapshot = await ResponseSnapshot.MatchAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            "'$.inputs[1].data' holds 1 values, but its shape [3] holds 3: send as many values as the shape's dimensions multiply to.",
            snapshot["body"]!["error"]!.ToString());
    }

    [Theory]
    [InlineData("tensor_data_nested.txt")]
    [InlineData("tensor_data_flat.txt")]
    public async Task InferenceRequestExample_WithThePublishedTensorData_ReturnsOnlyTheRequestedOutputAndEchoesTheId(string dataFile)
    {
        // The example request, with input0 carrying the published 2×2 matrix and input1 one value per row.
        var request = JsonNode.Parse(await ReadAsync("inference_request.json"))!;
        var data = JsonNode.Parse("{" + (await ReadAsync(dataFile)).Trim() + "}")!["data"]!;
        request["inputs"]![0]!["data"] = data.DeepClone();
        request["inputs"]![1]!["shape"] = new JsonArray(2);
        request["inputs"]![1]!["data"] = new JsonArray(true, false);

        using var response = await PostAsync("/v2/models/mymodel/infer", request.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            """{"model_name":"mymodel","model_version":"1","id":"42","outputs":[{"name":"output0","datatype":"INT64","shape":[2,2],"data":[1,2,4,5]}]}""",
            await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/v2/health/live")]
    [InlineData("/v2/health/ready")]
    [InlineData("/v2/models/mymodel/ready")]
    public async Task HealthUrlsOfTheSpecification_Answer200WithAnEmptyBody(string path)
    {
        using var response = await _app.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
    }

    private static Task<string> ReadAsync(string file) =>
        File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "OpenInference", "Published", file));

    private Task<HttpResponseMessage> PostAsync(string path, string body) =>
        _app.Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
}
