using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using LyftServing.AspNetCore.Tests.Infrastructure;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using Newtonsoft.Json.Linq;
using Snapshooter;
using Snapshooter.Xunit;

namespace LyftServing.AspNetCore.Tests.OpenApi;

/// <summary>
/// <c>AddOpenApi(o => o.AddModelServingDocument())</c>: the document describes every served model
/// from its primary version (real ONNX signatures, typed C# models), passes Microsoft.OpenApi's
/// reader and validator, and follows hot swaps.
/// </summary>
public sealed class ModelServingDocumentTests
{
    private static readonly string Models = Path.Combine(AppContext.BaseDirectory, "assets", "models");

    [Theory]
    [InlineData(OpenApiSpecVersion.OpenApi3_1)]
    [InlineData(OpenApiSpecVersion.OpenApi3_0)]
    public async Task Document_ReadBackWithMicrosoftOpenApi_HasNoErrorsOrWarnings(OpenApiSpecVersion version)
    {
        await using var app = await StartAsync(version: version);

        var text = await GetDocumentTextAsync(app);
        var settings = new OpenApiReaderSettings();
        settings.AddJsonReader();
        var (document, diagnostic) = OpenApiDocument.Parse(text, "json", settings);

        Assert.NotNull(document);
        Assert.Empty(diagnostic!.Errors.Select(e => e.ToString()));
        Assert.Empty(diagnostic.Warnings.Select(e => e.ToString()));
        Assert.Equal(version, diagnostic.SpecificationVersion);
        Assert.Empty(document.Validate(ValidationRuleSet.GetDefaultRuleSet())!.Select(e => e.ToString()));
        var infer = document.Paths["/infer"].Operations![HttpMethod.Post];
        var choice = infer.RequestBody!.Content!["application/json"].Schema!;
        Assert.Equal(["driver_eta", "failing", "mixed_inputs", "not_ready", "tabular_mlp"], choice.Discriminator!.Mapping!.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Document_TensorModel_DescribesInputsAndOutputsFromThePrimarySignature()
    {
        await using var app = await StartAsync();

        var schemas = (await GetDocumentAsync(app))["components"]!["schemas"]!;

        // tabular_mlp: features float32[N,8] → score float32[N,1].
        var features = schemas["tabular_mlp.Features"]!;
        Assert.Equal(["features"], Names(features["required"]));
        Assert.False(features["additionalProperties"]!.GetValue<bool>());
        AssertTensor(features["properties"]!["features"]!, "number", "float", null, 8);
        AssertTensor(schemas["tabular_mlp.Output"]!["properties"]!["score"]!, "number", "float", null, 1);

        // mixed_inputs: x float32[N,4], category int64[N,1] → y float32[N,1].
        var mixed = schemas["mixed_inputs.Features"]!;
        Assert.Equal(["category", "x"], Names(mixed["required"]).Order(StringComparer.Ordinal));
        AssertTensor(mixed["properties"]!["x"]!, "number", "float", null, 4);
        AssertTensor(mixed["properties"]!["category"]!, "integer", "int64", null, 1);
        AssertTensor(schemas["mixed_inputs.Output"]!["properties"]!["y"]!, "number", "float", null, 1);
    }

    [Fact]
    public async Task Document_TypedModel_DescribesItsTypesWithTheModelsJsonOptions()
    {
        await using var app = await StartAsync();

        var schemas = (await GetDocumentAsync(app))["components"]!["schemas"]!;

        // EtaFeatures(double DistanceKm, int Stops), snake_case from ConfigureJson.
        var features = schemas["driver_eta.Features"]!;
        Assert.Equal("object", Type(features));
        Assert.Equal(["distance_km", "stops"], Names(features["required"]).Order(StringComparer.Ordinal));
        Assert.Equal("number", Type(features["properties"]!["distance_km"]!));
        Assert.Equal("integer", Type(features["properties"]!["stops"]!));
        Assert.Equal("number", Type(schemas["driver_eta.Output"]!["properties"]!["eta_seconds"]!));
        Assert.Equal("number", Type(schemas["failing.Output"]!));

        var request = schemas["driver_eta.InferenceRequest"]!;
        Assert.Equal(["driver_eta"], Names(request["properties"]!["model_id"]!["enum"]));
        Assert.Equal("#/components/schemas/driver_eta.Features", request["properties"]!["features"]!["$ref"]!.GetValue<string>());
    }

    [Fact]
    public async Task Document_InferExamples_AreTheSelfTestCasesAndEachIsAnswered200()
    {
        await using var app = await StartAsync();

        var post = (await GetDocumentAsync(app))["paths"]!["/infer"]!["post"]!;
        var examples = post["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject();
        var answers = post["responses"]!["200"]!["content"]!["application/json"]!["examples"]!.AsObject();

        // Every model with a passing self-test (not_ready has no version; failing has no test data).
        Assert.Equal(["driver_eta", "mixed_inputs", "tabular_mlp"], examples.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Equal("""{"distance_km":10,"stops":2}""", examples["driver_eta"]!["value"]!["features"]!.ToJsonString());
        foreach (var (model, example) in examples)
        {
            using var response = await app.Client.PostAsync("/infer", new StringContent(example!["value"]!.ToJsonString(), Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.True(
                JsonNode.DeepEquals(answers[model]!["value"]!["output"], answer["output"]),
                $"{model}: the example answer {answers[model]!["value"]!["output"]} differs from {answer["output"]}.");
        }
    }

    [Fact]
    public async Task Document_ProblemsHealthAnd405_AreDescribed()
    {
        await using var app = await StartAsync();

        var document = await GetDocumentAsync(app);

        var problem = document["components"]!["schemas"]!["ModelServingProblem"]!;
        Assert.Equal(
            ["detail", "instance", "model_id", "model_version", "path", "status", "title", "traceId", "type"],
            problem["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        var post = document["paths"]!["/infer"]!["post"]!;
        foreach (var status in new[] { "400", "404", "405", "413", "415", "500", "503", "504" })
        {
            Assert.Equal(
                "#/components/schemas/ModelServingProblem",
                post["responses"]![status]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());
        }

        Assert.NotNull(post["responses"]!["405"]!["headers"]!["Allow"]);
        Assert.Equal(
            "#/components/schemas/ModelServingProblem",
            document["paths"]!["/models/{model_id}"]!["get"]!["responses"]!["404"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());
        foreach (var health in new[] { "/health/ready", "/health/live" })
        {
            var responses = document["paths"]![health]!["get"]!["responses"]!;
            Assert.NotNull(responses["200"]);
            Assert.NotNull(responses["503"]);
        }
    }

    [Fact]
    public async Task Document_NewPrimaryWithAnotherSignature_ChangesTheDocument()
    {
        var store = Directory.CreateTempSubdirectory("lyftserving-openapi-");
        try
        {
            CopyVersion("tabular_mlp", Path.Combine(store.FullName, "swapped", "1"));
            await using var app = await TestApp.StartAsync(
                (serving, _) => serving.AddOnnxModel("swapped", m => m.FromStore(store.FullName)),
                MapWithHealth,
                b => b.Services.AddOpenApi(o => o.AddModelServingDocument()));

            var before = (await GetDocumentAsync(app))["components"]!["schemas"]!;
            CopyVersion("mixed_inputs", Path.Combine(store.FullName, "swapped", "2"));
            await app.Services.GetRequiredService<IModelManager>().RefreshAsync("swapped");
            Assert.Equal("2", app.Services.GetRequiredService<IModelManager>().GetStatus("swapped").PrimaryVersion);
            var after = (await GetDocumentAsync(app))["components"]!["schemas"]!;

            Assert.Equal(["features"], Names(before["swapped.Features"]!["required"]));
            Assert.Equal(["category", "x"], Names(after["swapped.Features"]!["required"]).Order(StringComparer.Ordinal));
            AssertTensor(after["swapped.Features"]!["properties"]!["category"]!, "integer", "int64", null, 1);
            Assert.Equal(["y"], after["swapped.Output"]!["properties"]!.AsObject().Select(p => p.Key));
            Assert.Contains("version 2", after["swapped.Features"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        finally
        {
            store.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Document_TabularMlpSchemas_MatchSnapshot()
    {
        await using var app = await StartAsync();

        var schemas = (await GetDocumentAsync(app))["components"]!["schemas"]!;
        var snapshot = new JObject();
        foreach (var name in new[] { "tabular_mlp.InferenceRequest", "tabular_mlp.Features", "tabular_mlp.InferenceResponse", "tabular_mlp.Output" })
        {
            snapshot[name] = JToken.Parse(schemas[name]!.ToJsonString());
        }

        MatchSnapshot(snapshot);
    }

    [Fact]
    public async Task Document_WithoutAddModelServingDocument_KeepsTheGeneralSchemas()
    {
        await using var app = await TestApp.StartAsync();

        var document = await GetDocumentAsync(app);

        Assert.Null(document["components"]!["schemas"]!["ModelServingProblem"]);
        Assert.Null(document["paths"]!["/health/ready"]);
        Assert.Equal("#/components/schemas/InferenceRequest", document["paths"]!["/infer"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
    }

    private static Task<TestApp> StartAsync(OpenApiSpecVersion version = OpenApiSpecVersion.OpenApi3_1) => TestApp.StartAsync(
        (serving, store) =>
        {
            TestApp.AddStandardModels(serving, store);
            foreach (var model in new[] { "tabular_mlp", "mixed_inputs" })
            {
                serving.AddOnnxModel(model, m => m.FromStore(Models));
            }
        },
        MapWithHealth,
        b => b.Services.AddOpenApi(o =>
        {
            o.OpenApiVersion = version;
            o.AddModelServingDocument();
        }));

    private static void MapWithHealth(WebApplication app)
    {
        app.MapModelServing();
        TestApp.MapHealth(app);
        app.MapOpenApi();
    }

    private static void MatchSnapshot(JObject snapshot, [CallerMemberName] string testName = "", [CallerFilePath] string testFile = "") =>
        Snapshot.Match(snapshot, new SnapshotFullName($"{nameof(ModelServingDocumentTests)}.{testName}.snap", Path.GetDirectoryName(testFile)!));

    private static void CopyVersion(string model, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(Path.Combine(Models, model, "1")))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
    }

    private static async Task<string> GetDocumentTextAsync(TestApp app)
    {
        using var response = await app.Client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<JsonNode> GetDocumentAsync(TestApp app) => JsonNode.Parse(await GetDocumentTextAsync(app))!;

    private static string[] Names(JsonNode? array) => [.. array!.AsArray().Select(n => n!.GetValue<string>())];

    private static string Type(JsonNode schema) => schema["type"]!.GetValue<string>();

    /// <summary>Asserts a rank-2 tensor schema: a batch of rows of <paramref name="rowLength"/> elements.</summary>
    private static void AssertTensor(JsonNode schema, string type, string format, int? batch, int rowLength)
    {
        Assert.Equal("array", Type(schema));
        Assert.Equal(batch ?? 1, schema["minItems"]!.GetValue<int>());
        Assert.Equal(batch, schema["maxItems"]?.GetValue<int>());
        var row = schema["items"]!;
        Assert.Equal("array", Type(row));
        Assert.Equal(rowLength, row["minItems"]!.GetValue<int>());
        Assert.Equal(rowLength, row["maxItems"]!.GetValue<int>());
        Assert.Equal(type, Type(row["items"]!));
        Assert.Equal(format, row["items"]!["format"]!.GetValue<string>());
    }
}
