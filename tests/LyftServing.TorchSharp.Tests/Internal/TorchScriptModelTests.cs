using System.Text.Json;
using LyftServing.TorchSharp.Internal;

namespace LyftServing.TorchSharp.Tests.Internal;

/// <summary>The <c>torchscript</c> runtime: TorchScript version folders served with no C# model code.</summary>
public sealed class TorchScriptModelTests
{
    private const float Tolerance = 1e-5f;

    public static TheoryData<string> FixtureModels => ["tabular_mlp", "bench_mlp"];

    [Fact]
    public async Task StartAsync_DiscoveredVersionFolders_ServeWithNoCodeAndPassSelfTests()
    {
        using var host = await StartAsync();
        var statuses = host.Services.GetRequiredService<IModelManager>().GetStatus();

        Assert.Equal(["all_types", "bench_mlp", "dict_output", "multi_input", "tabular_mlp", "tuple_output"], statuses.Select(s => s.Name));
        foreach (var status in statuses)
        {
            Assert.Equal("torchscript", status.Runtime);
            var version = Assert.Single(status.Versions);
            Assert.Equal(ModelVersionState.Ready, version.State);
            Assert.True(version.SelfTests is { Failed: 0, Passed: > 0 }, $"{status.Name}: {version.SelfTests?.Passed} passed, {version.SelfTests?.Failed} failed");
        }

        await host.StopAsync();
    }

    [Theory]
    [MemberData(nameof(FixtureModels))]
    public async Task PredictAsync_SingleRows_ReproduceTheFixtureOutputs(string model)
    {
        using var host = await StartAsync();
        var client = host.Services.GetRequiredKeyedService<IModelClient<Tensors, Tensors>>(model);

        foreach (var testCase in Assets.FixtureCases(model))
        {
            var features = new Tensors { { "features", Tensor.Create(Assets.Floats(testCase["features"]!), 1, testCase["features"]!.AsArray().Count) } };

            var output = (await client.PredictAsync(features))[Assets.OutputName(model)];

            Assert.Equal([1L, 1L], output.Shape.ToArray());
            Assert.Equal(testCase[Assets.OutputName(model)]!.GetValue<float>(), output.GetValues<float>()[0], Tolerance);
        }

        await host.StopAsync();
    }

    [Theory]
    [MemberData(nameof(FixtureModels))]
    public async Task PredictAsync_JsonBatchOfRows_ReproducesEveryRow(string model)
    {
        using var host = await StartAsync();
        var cases = Assets.FixtureCases(model);
        var json = JsonSerializer.SerializeToElement(new { features = cases.Select(c => Assets.Floats(c["features"]!)) });

        var prediction = await JsonClient(host, model).PredictAsync(json, version: null);

        var values = Output(prediction).GetProperty(Assets.OutputName(model));
        Assert.Equal(cases.Count, values.GetArrayLength());
        for (var i = 0; i < cases.Count; i++)
        {
            Assert.Equal(cases[i][Assets.OutputName(model)]!.GetValue<float>(), values[i][0].GetSingle(), Tolerance);
        }

        await host.StopAsync();
    }

    [Theory]
    [MemberData(nameof(FixtureModels))]
    public async Task PredictBatch_FixtureRows_ReproduceEveryRowInOneRun(string model)
    {
        var (torchScript, services) = await TestHost.LoadModelAsync<TorchScriptModel, Tensors, Tensors>(model, Assets.TorchScript(model), b => b.AddTorchScriptRuntime());
        using var _ = services;
        using var __ = torchScript;
        var cases = Assets.FixtureCases(model);
        var rows = cases.Select(c => new Tensors { { "features", Tensor.Create(Assets.Floats(c["features"]!), 1, c["features"]!.AsArray().Count) } }).ToArray();
        var outputs = new Tensors[rows.Length];

        torchScript.PredictBatch(rows, outputs);

        Assert.True(torchScript.Signature.IsBatchable);
        for (var i = 0; i < cases.Count; i++)
        {
            Assert.Equal(cases[i][Assets.OutputName(model)]!.GetValue<float>(), outputs[i][Assets.OutputName(model)].GetValues<float>()[0], Tolerance);
        }
    }

    [Fact]
    public async Task LoadAsync_OutputsDeclaredByName_TakeTheirTypesAndShapesFromTheLoadCheck()
    {
        using var host = await StartAsync();

        var signatures = host.Services.GetRequiredService<IModelManager>().GetStatus().ToDictionary(s => s.Name, s => s.Versions[0].Signature!);

        Assert.Equal("score float32[N,1]", Describe(signatures["tabular_mlp"].Outputs));
        Assert.Equal("features float32[N,8]", Describe(signatures["tabular_mlp"].Inputs));
        Assert.Equal("score float32[N,1], label int64[N]", Describe(signatures["tuple_output"].Outputs));
        Assert.Equal("label int64[N], score float32[N,1]", Describe(signatures["dict_output"].Outputs));
        Assert.Equal("x float32[N,4], category int64[N,1]", Describe(signatures["multi_input"].Inputs));
        Assert.Equal("a_out float32[N,2], b_out float64[N,2], c_out int64[N], d_out bool[N], e_out int32[N]", Describe(signatures["all_types"].Outputs));
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_DictionaryOutput_MapsTheDeclaredKeysInTheirOrder()
    {
        using var host = await StartAsync();
        var features = JsonDocument.Parse("""{"x": [[0.5, -1, 2, 0.25], [1, 1, 1, 1]]}""").RootElement;

        var fromDict = Output(await JsonClient(host, "dict_output").PredictAsync(features, version: null));
        var fromTuple = Output(await JsonClient(host, "tuple_output").PredictAsync(features, version: null));

        Assert.Equal(["label", "score"], fromDict.EnumerateObject().Select(p => p.Name));
        Assert.Equal(fromTuple.GetProperty("label").GetRawText(), fromDict.GetProperty("label").GetRawText());
        Assert.Equal(fromTuple.GetProperty("score").GetRawText(), fromDict.GetProperty("score").GetRawText());
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_EveryElementType_RoundTripsExactly()
    {
        using var host = await StartAsync();
        var features = JsonDocument.Parse("""
            {"a": [[0.5, -1.25]], "b": [[0.1, 1e300]], "c": [9007199254740993], "d": [true], "e": [-2147483648]}
            """).RootElement;

        var output = Output(await JsonClient(host, "all_types").PredictAsync(features, version: null));

        Assert.Equal("[[1,-2.5]]", output.GetProperty("a_out").GetRawText());
        Assert.Equal(0.2, output.GetProperty("b_out")[0][0].GetDouble());
        Assert.Equal(2e300, output.GetProperty("b_out")[0][1].GetDouble());
        Assert.Equal(9007199254740994L, output.GetProperty("c_out")[0].GetInt64());
        Assert.False(output.GetProperty("d_out")[0].GetBoolean());
        Assert.Equal(unchecked(int.MinValue * 3), output.GetProperty("e_out")[0].GetInt32());
        await host.StopAsync();
    }

    public static TheoryData<string, string, string, string> BadFeatures => new()
    {
        { "tabular_mlp", """{"features": [[1, 2, 3, 4, 5, 6, 7]]}""", "$.features", "'$.features' has shape [1,7], but input 'features' (float32[N,8]) needs size 8 in dimension 1." },
        { "tabular_mlp", """{"features": [1, 2, 3, 4, 5, 6, 7, 8]}""", "$.features", "'$.features' has rank 1 (shape [8]), but input 'features' (float32[N,8]) has rank 2. For a single row, wrap it in one more array: [[…]]." },
        { "tabular_mlp", """{"features": [[true, false, true, false, true, false, true, false]]}""", "$.features", "'$.features' must hold numbers for input 'features' (float32[N,8]), not true/false values." },
        { "multi_input", """{"x": [[1, 2, 3, 4]]}""", "$.category", "'$.category' is missing: model 'multi_input' needs the input 'category' (int64[N,1]); its inputs are: x (float32[N,4]), category (int64[N,1])." },
        { "multi_input", """{"x": [[1, 2, 3, 4]], "category": [[1.5]]}""", "$.category[0][0]", "'$.category[0][0]' is 1.5, but input 'category' (int64[N,1]) takes integers." },
        { "multi_input", """{"x": [[1, 2, 3, 4]], "category": [[1]], "z": [[1]]}""", "$.z", "'$.z' is not an input of model 'multi_input'; its inputs are: x (float32[N,4]), category (int64[N,1])." },
        { "multi_input", """{"x": [[1, 2, 3, 4], [5, 6, 7, 8]], "category": [[1]]}""", "$.category", "'$.category' has size 1 in dimension 0 ('N'), but '$.x' has 2 in dimension 0; inputs that share the dimension 'N' must agree." },
    };

    [Theory]
    [MemberData(nameof(BadFeatures))]
    public async Task PredictAsync_BadFeatures_FailNamingThePathAndKeepServing(string model, string features, string path, string message)
    {
        using var host = await StartAsync();
        var client = JsonClient(host, model);

        var error = await Assert.ThrowsAsync<ModelFeaturesException>(async () => await client.PredictAsync(JsonDocument.Parse(features).RootElement, version: null));

        Assert.Equal(path, error.Path);
        Assert.Equal(message, error.Message);

        var good = model == "tabular_mlp" ? """{"features": [[1, 2, 3, 4, 5, 6, 7, 8]]}""" : """{"x": [[1, 2, 3, 4]], "category": [[5]]}""";
        var output = Output(await client.PredictAsync(JsonDocument.Parse(good).RootElement, version: null));
        Assert.Equal(1, output.EnumerateObject().Single().Value.GetArrayLength());
        await host.StopAsync();
    }

    internal static async Task<IHost> StartAsync(string? storeRoot = null, IDictionary<string, string?>? configuration = null, Action<IModelServingBuilder>? configure = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ModelServing:StoreRoot"] = storeRoot ?? Path.Combine(Assets.Root, "torchscript"),
            ["ModelServing:DiscoverModels"] = "true",
        };
        foreach (var (key, value) in configuration ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return await TestHost.StartAsync(b => (configure ?? (x => x.AddTorchScriptRuntime()))(b), settings);
    }

    internal static IJsonModelClient JsonClient(IHost host, string model) =>
        host.Services.GetRequiredService<IModelProvider>().TryGetJsonClient(model, out var client) ? client : throw new InvalidOperationException($"No JSON client for {model}.");

    internal static JsonElement Output(JsonPrediction prediction)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            prediction.WriteOutput(writer);
        }

        return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
    }

    private static string Describe(IReadOnlyList<TensorSpec> tensors) => string.Join(", ", tensors.Select(t => $"{t.Name} {t}"));
}
