using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.TestHost;

namespace LyftServing.TorchSharp.Tests.Http;

/// <summary>
/// TorchScript models through <c>POST /infer</c>, served side by side with the ONNX export of the
/// same networks (the shared fixtures' tabular_mlp and bench_mlp): the same request, the same
/// wire shape, the same answer within 1e-5, both matching PyTorch's outputs.
/// </summary>
public sealed class InferTests : IAsyncLifetime
{
    private const float Tolerance = 1e-5f;
    private readonly TempStore _store = new();
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public static TheoryData<string> FixtureModels => ["tabular_mlp", "bench_mlp"];

    public async Task InitializeAsync()
    {
        foreach (var model in new[] { "tabular_mlp", "bench_mlp" })
        {
            _store.AddVersion(model + "_torchscript", "1", Assets.TorchScript(model));
            _store.AddVersion(model + "_onnx", "1", Assets.Onnx(model));
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ModelServing:StoreRoot"] = _store.Root,
            ["ModelServing:DiscoverModels"] = "true",
        });
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing"))
            .AddTorchScriptRuntime()
            .AddOnnxRuntime();
        _app = builder.Build();
        _app.MapModelServing();
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _store.Dispose();
    }

    [Theory]
    [MemberData(nameof(FixtureModels))]
    public async Task Infer_SingleRows_ReproducePyTorchAndAgreeWithTheOnnxExport(string model)
    {
        foreach (var testCase in Assets.FixtureCases(model))
        {
            var features = new JsonObject { ["features"] = new JsonArray(testCase["features"]!.DeepClone()) };

            var torch = await InferAsync(model + "_torchscript", features);
            var onnx = await InferAsync(model + "_onnx", features);

            var expected = testCase[Assets.OutputName(model)]!.GetValue<float>();
            Assert.Equal(expected, torch[Assets.OutputName(model)]![0]![0]!.GetValue<float>(), Tolerance);
            Assert.Equal(onnx[Assets.OutputName(model)]![0]![0]!.GetValue<float>(), torch[Assets.OutputName(model)]![0]![0]!.GetValue<float>(), Tolerance);
        }
    }

    [Theory]
    [MemberData(nameof(FixtureModels))]
    public async Task Infer_BatchOfEveryCase_ReproducesPyTorchAndAgreesWithTheOnnxExport(string model)
    {
        var cases = Assets.FixtureCases(model);
        var features = new JsonObject { ["features"] = new JsonArray([.. cases.Select(c => c["features"]!.DeepClone())]) };

        var torch = (await InferAsync(model + "_torchscript", features))[Assets.OutputName(model)]!.AsArray();
        var onnx = (await InferAsync(model + "_onnx", features))[Assets.OutputName(model)]!.AsArray();

        Assert.Equal(cases.Count, torch.Count);
        for (var i = 0; i < cases.Count; i++)
        {
            Assert.Equal(cases[i][Assets.OutputName(model)]!.GetValue<float>(), torch[i]![0]!.GetValue<float>(), Tolerance);
            Assert.Equal(onnx[i]![0]!.GetValue<float>(), torch[i]![0]!.GetValue<float>(), Tolerance);
        }
    }

    [Fact]
    public async Task Infer_WrongShape_Answers400NamingThePathInTheRequestAsOnnxDoes()
    {
        var body = """{"model_id": "tabular_mlp_torchscript", "features": {"features": [[1, 2, 3]]}}""";

        var torch = await _client.PostAsync("/infer", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var onnx = await _client.PostAsync("/infer", new StringContent(body.Replace("_torchscript", "_onnx", StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, torch.StatusCode);
        var problem = JsonNode.Parse(await torch.Content.ReadAsStringAsync())!;
        Assert.Equal("'$.features.features' has shape [1,3], but input 'features' (float32[N,8]) needs size 8 in dimension 1.", problem["detail"]!.GetValue<string>());
        Assert.Equal("$.features.features", problem["path"]!.GetValue<string>());
        Assert.Equal(problem["detail"]!.GetValue<string>(), JsonNode.Parse(await onnx.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
    }

    private async Task<JsonObject> InferAsync(string model, JsonObject features)
    {
        using var response = await _client.PostAsJsonAsync("/infer", new JsonObject { ["model_id"] = model, ["features"] = features.DeepClone() });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var answer = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(model, answer["model_id"]!.GetValue<string>());
        return answer["output"]!.AsObject();
    }
}
