using System.Text.Json;
using LyftServing.OnnxRuntime.Internal;
using LyftServing.OnnxRuntime.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LyftServing.OnnxRuntime.Tests.Internal;

/// <summary>The untyped (JSON) path: the onnx runtime serving version folders with no C# model code.</summary>
public class OnnxTensorModelTests
{
    private const double Tolerance = 1e-5;

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static readonly JsonSerializerOptions Strict = new ModelJsonOptions().SerializerOptions;

    private static readonly JsonSerializerOptions Lenient = new(Strict)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static TheoryData<string> FixtureModels => ["tabular_mlp", "mixed_inputs", "bench_mlp"];

    [Fact]
    public async Task StartAsync_DiscoveredVersionFolders_ServeWithNoCodeAndPassSelfTests()
    {
        using var host = await TestHost.StartAsync(
            b => b.AddOnnxRuntime(),
            new Dictionary<string, string?>
            {
                ["ModelServing:StoreRoot"] = Fixtures.ModelsRoot,
                ["ModelServing:DiscoverModels"] = "true",
            });
        var manager = host.Services.GetRequiredService<IModelManager>();

        var statuses = manager.GetStatus();

        Assert.Equal(["all_types", "bench_mlp", "mixed_inputs", "mymodel", "tabular_mlp"], statuses.Select(s => s.Name));
        foreach (var status in statuses)
        {
            Assert.Equal("onnx", status.Runtime);
            Assert.Equal("1", status.PrimaryVersion);
            var version = Assert.Single(status.Versions);
            Assert.Equal(ModelVersionState.Ready, version.State);
            Assert.NotNull(version.SelfTests);
            Assert.Equal(status.Name is "all_types" or "mymodel" ? 1 : 5, version.SelfTests.Passed);
            Assert.Equal(0, version.SelfTests.Failed);
        }

        await host.StopAsync();
    }

    [Theory]
    [MemberData(nameof(FixtureModels))]
    public async Task PredictAsync_JsonSingleRows_ReproduceFixtureOutputs(string model)
    {
        using var host = await StartRuntimeHostAsync(model);
        var client = GetJsonClient(host, model);

        foreach (var testCase in Fixtures.Cases(model))
        {
            var prediction = await client.PredictAsync(Fixtures.JsonFeatures(model, testCase), version: null);

            var output = ReadOutput(prediction);
            var values = output.GetProperty(Fixtures.OutputName(model));
            Assert.Equal(1, values.GetArrayLength());
            Assert.Equal(Fixtures.Expected(model, testCase), values[0][0].GetSingle(), Tolerance);
            Assert.Equal("1", prediction.ModelVersion);
        }

        await host.StopAsync();
    }

    [Theory]
    [MemberData(nameof(FixtureModels))]
    public async Task PredictAsync_JsonBatchOfRows_ReproducesEveryRow(string model)
    {
        using var host = await StartRuntimeHostAsync(model);
        var client = GetJsonClient(host, model);
        var cases = Fixtures.Cases(model);

        // One request whose tensors hold every case as a row: [5, k].
        var batch = new Dictionary<string, List<JsonElement>>();
        foreach (var testCase in cases)
        {
            foreach (var input in Fixtures.JsonFeatures(model, testCase).EnumerateObject())
            {
                (batch.TryGetValue(input.Name, out var rows) ? rows : batch[input.Name] = []).Add(input.Value[0]);
            }
        }

        var prediction = await client.PredictAsync(JsonSerializer.SerializeToElement(batch), version: null);

        var values = ReadOutput(prediction).GetProperty(Fixtures.OutputName(model));
        Assert.Equal(cases.Count, values.GetArrayLength());
        for (var i = 0; i < cases.Count; i++)
        {
            Assert.Equal(Fixtures.Expected(model, cases[i]), values[i][0].GetSingle(), Tolerance);
        }

        await host.StopAsync();
    }

    [Theory]
    [MemberData(nameof(FixtureModels))]
    public async Task PredictBatch_FixtureRows_ReproduceEveryRowInOneCall(string model)
    {
        var (onnx, services) = await TestHost.LoadModelAsync<OnnxTensorModel, Tensors, Tensors>(
            model, Path.Combine(Fixtures.ModelsRoot, model, "1"), b => b.AddOnnxRuntime());
        using var _ = services;
        using var __ = onnx;
        var cases = Fixtures.Cases(model);
        var rows = cases.Select(c => Fixtures.JsonFeatures(model, c).Deserialize<Tensors>()!).ToArray();
        var outputs = new Tensors[rows.Length];

        onnx.PredictBatch(rows, outputs);

        for (var i = 0; i < cases.Count; i++)
        {
            var tensor = outputs[i][Fixtures.OutputName(model)];
            Assert.Equal([1L, 1L], tensor.Shape.ToArray());
            Assert.Equal(Fixtures.Expected(model, cases[i]), tensor.GetValues<float>()[0], Tolerance);
        }
    }

    [Theory]
    [InlineData("tabular_mlp", true)]
    [InlineData("bench_mlp", true)]
    [InlineData("mixed_inputs", true)]
    [InlineData("all_types", false)]
    public async Task LoadAsync_RowShapesKnownInAdvance_RunsOneRowCallsOnBindings(string model, bool expected)
    {
        var (onnx, services) = await TestHost.LoadModelAsync<OnnxTensorModel, Tensors, Tensors>(
            model, Path.Combine(Fixtures.ModelsRoot, model, "1"), b => b.AddOnnxRuntime());
        using var _ = services;
        using var __ = onnx;

        Assert.Equal(expected, onnx.RunsRowsOnBindings);
    }

    [Fact]
    public async Task PredictBatch_RowsWithSeveralRowsEach_SplitsOutputsPerRow()
    {
        var (onnx, services) = await TestHost.LoadModelAsync<OnnxTensorModel, Tensors, Tensors>(
            "mixed_inputs", Path.Combine(Fixtures.ModelsRoot, "mixed_inputs", "1"), b => b.AddOnnxRuntime());
        using var _ = services;
        using var __ = onnx;
        var first = new Tensors
        {
            { "x", Tensor.Create(new float[] { 1, 2, 3, 4, 0, 0, 0, 1 }, 2, 4) },
            { "category", Tensor.Create(new long[] { 10, 20 }, 2, 1) },
        };
        var second = new Tensors
        {
            { "x", Tensor.Create(new float[] { 0.5f, 0.5f, 0, 0 }, 1, 4) },
            { "category", Tensor.Create(new long[] { 7 }, 1, 1) },
        };
        var outputs = new Tensors[2];

        onnx.PredictBatch(new[] { first, second }, outputs);

        Assert.Equal([20f, 21f], outputs[0]["y"].GetValues<float>().ToArray());
        Assert.Equal([2L, 1L], outputs[0]["y"].Shape.ToArray());
        Assert.Equal([8f], outputs[1]["y"].GetValues<float>().ToArray());
    }

    [Fact]
    public async Task PredictAsync_DynamicBatchingWithOneBadRow_OnlyThatCallerFails()
    {
        using var host = await TestHost.StartAsync(
            b => b.AddOnnxRuntime(),
            new Dictionary<string, string?>
            {
                ["ModelServing:Models:tabular_mlp:Runtime"] = "onnx",
                ["ModelServing:Models:tabular_mlp:Store"] = Fixtures.ModelsRoot,
                ["ModelServing:Models:tabular_mlp:Batching:Enabled"] = "true",
                ["ModelServing:Models:tabular_mlp:Batching:MaxBatchSize"] = "16",
                ["ModelServing:Models:tabular_mlp:Batching:MaxDelay"] = "00:00:00.010",
            });
        var client = GetJsonClient(host, "tabular_mlp");
        var cases = Fixtures.Cases("tabular_mlp");
        var bad = JsonDocument.Parse("""{"features": [[1,2,3]]}""").RootElement;

        var calls = Enumerable.Range(0, 15).Select(i => Task.Run(async () =>
        {
            var testCase = cases[i % cases.Count];
            var output = ReadOutput(await client.PredictAsync(Fixtures.JsonFeatures("tabular_mlp", testCase), version: null));
            Assert.Equal(Fixtures.Expected("tabular_mlp", testCase), output.GetProperty("score")[0][0].GetSingle(), Tolerance);
        })).ToList();
        var badCall = Task.Run(async () => await client.PredictAsync(bad, version: null));

        await Task.WhenAll(calls);
        var error = await Assert.ThrowsAsync<ModelFeaturesException>(() => badCall);
        Assert.Equal("'$.features' has shape [1,3], but input 'features' (float32[N,8]) needs size 8 in dimension 1.", error.Message);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_CodeCallerWithTypedTensors_ConvertsNumbersToInputTypes()
    {
        using var host = await StartRuntimeHostAsync("mixed_inputs");
        var client = host.Services.GetRequiredKeyedService<IModelClient<Tensors, Tensors>>("mixed_inputs");
        var features = new Tensors
        {
            // double values for a float32 input and int values for an int64 input are converted.
            { "x", Tensor.Create(new double[] { 1, 2, 3, 4 }, 1, 4) },
            { "category", Tensor.Create(new int[] { 5 }, 1, 1) },
        };

        var output = await client.PredictAsync(features);

        Assert.Equal(TensorElementType.Float32, output["y"].ElementType);
        Assert.Equal(15f, output["y"].GetValues<float>()[0]);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_EveryElementType_RoundTripsThroughJson()
    {
        using var host = await StartRuntimeHostAsync("all_types");
        var client = GetJsonClient(host, "all_types");
        var features = JsonDocument.Parse("""
            {"f32": [[0.1, -1.25]], "f64": [[0.1, 1e-300]], "i32": [-2147483648], "i64": [9007199254740993],
             "b": [false], "s": ["héllo \"world\""]}
            """).RootElement;

        var output = ReadOutput(await client.PredictAsync(features, version: null));

        Assert.Equal(0.1f, output.GetProperty("f32_out")[0][0].GetSingle());
        Assert.Equal(0.1, output.GetProperty("f64_out")[0][0].GetDouble());
        Assert.Equal(1e-300, output.GetProperty("f64_out")[0][1].GetDouble());
        Assert.Equal(int.MinValue, output.GetProperty("i32_out")[0].GetInt32());
        Assert.Equal(9007199254740993L, output.GetProperty("i64_out")[0].GetInt64());
        Assert.False(output.GetProperty("b_out")[0].GetBoolean());
        Assert.Equal("héllo \"world\"", output.GetProperty("s_out")[0].GetString());
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictBatch_EveryElementType_StacksAndSplitsRows()
    {
        var (onnx, services) = await TestHost.LoadModelAsync<OnnxTensorModel, Tensors, Tensors>(
            "all_types", Path.Combine(Fixtures.ModelsRoot, "all_types", "1"), b => b.AddOnnxRuntime());
        using var _ = services;
        using var __ = onnx;
        var rows = Enumerable.Range(0, 3).Select(i => new Tensors
        {
            { "f32", Tensor.Create(new[] { i, i + 0.5f }, 1, 2) },
            { "f64", Tensor.Create(new[] { -i, i + 0.25 }, 1, 2) },
            { "i32", Tensor.Create(new[] { i }, 1) },
            { "i64", Tensor.Create(new[] { (long)i << 40 }, 1) },
            { "b", Tensor.Create(new[] { i % 2 == 0 }, 1) },
            { "s", Tensor.Create(new[] { "row " + i }, 1) },
        }).ToArray();
        var outputs = new Tensors[rows.Length];

        onnx.PredictBatch(rows, outputs);

        for (var i = 0; i < rows.Length; i++)
        {
            Assert.Equal([i, i + 0.5f], outputs[i]["f32_out"].GetValues<float>().ToArray());
            Assert.Equal([1L, 2L], outputs[i]["f32_out"].Shape.ToArray());
            Assert.Equal([-i, i + 0.25], outputs[i]["f64_out"].GetValues<double>().ToArray());
            Assert.Equal(i, outputs[i]["i32_out"].GetValues<int>()[0]);
            Assert.Equal((long)i << 40, outputs[i]["i64_out"].GetValues<long>()[0]);
            Assert.Equal(i % 2 == 0, outputs[i]["b_out"].GetValues<bool>()[0]);
            Assert.Equal("row " + i, outputs[i]["s_out"].GetValues<string>()[0]);
        }
    }

    [Fact]
    public async Task PredictBatch_ModelWithoutBatchDimension_RunsRowByRow()
    {
        using var store = new TempStore();
        var version = Path.Combine(store.Root, "fixed_shape", "1");
        Directory.CreateDirectory(version);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "assets", "fixed_shape", "model.onnx"), Path.Combine(version, "model.onnx"));
        var (onnx, services) = await TestHost.LoadModelAsync<OnnxTensorModel, Tensors, Tensors>("fixed_shape", version, b => b.AddOnnxRuntime());
        using var _ = services;
        using var __ = onnx;
        var rows = new[] { 1f, 2f }.Select(v => new Tensors { { "x", Tensor.Create(new[] { v, v, v }, 1, 3) } }).ToArray();
        var outputs = new Tensors[2];

        onnx.PredictBatch(rows, outputs);

        Assert.Equal([1f, 1f, 1f], outputs[0]["x_out"].GetValues<float>().ToArray());
        Assert.Equal([2f, 2f, 2f], outputs[1]["x_out"].GetValues<float>().ToArray());
    }

    [Fact]
    public async Task GetStatus_LoadedVersion_ShowsInputAndOutputMetadata()
    {
        using var host = await StartRuntimeHostAsync("mixed_inputs");
        var status = host.Services.GetRequiredService<IModelManager>().GetStatus("mixed_inputs");

        var version = Assert.Single(status.Versions);
        var metadata = Assert.IsType<OnnxModelMetadata>(version.Metadata);
        var signature = Assert.IsType<ModelSignature>(version.Signature);

        Assert.Equal("CPUExecutionProvider", metadata.ExecutionProvider);
        Assert.Equal(["x", "category"], signature.Inputs.Select(i => i.Name));
        Assert.Equal("float32[N,4]", signature.Inputs[0].ToString());
        Assert.Equal("int64[N,1]", signature.Inputs[1].ToString());
        Assert.Equal([-1L, 1L], signature.Inputs[1].Dimensions);
        Assert.Equal("y", Assert.Single(signature.Outputs).Name);
        var json = JsonSerializer.Serialize(status, Web);
        Assert.Contains("\"signature\":{\"inputs\":[{\"name\":\"x\",\"elementType\":\"float32\",\"dimensions\":[-1,4],\"dimensionNames\":[\"N\",null]}", json, StringComparison.Ordinal);
        await host.StopAsync();
    }

    public static TheoryData<string, string, string, string> BadFeatures => new()
    {
        // model, features, JSON path, message
        {
            "tabular_mlp", """{"features": [[1,2,3,4,5,6,7,8]], "extra": [[1]]}""", "$.extra",
            "'$.extra' is not an input of model 'tabular_mlp'; its inputs are: features (float32[N,8])."
        },
        {
            "mixed_inputs", """{"x": [[1,2,3,4]]}""", "$.category",
            "'$.category' is missing: model 'mixed_inputs' needs the input 'category' (int64[N,1]); its inputs are: x (float32[N,4]), category (int64[N,1])."
        },
        {
            "mixed_inputs", """{"x": [[1,2,3,4]], "category": [[1.5]]}""", "$.category[0][0]",
            "'$.category[0][0]' is 1.5, but input 'category' (int64[N,1]) takes integers."
        },
        {
            "mixed_inputs", """{"x": [["a","b","c","d"]], "category": [[1]]}""", "$.x",
            "'$.x' must hold numbers for input 'x' (float32[N,4]), not strings."
        },
        {
            "tabular_mlp", """{"features": [[true,false,true,false,true,false,true,false]]}""", "$.features",
            "'$.features' must hold numbers for input 'features' (float32[N,8]), not true/false values."
        },
        {
            "tabular_mlp", """{"features": [1,2,3,4,5,6,7,8]}""", "$.features",
            "'$.features' has rank 1 (shape [8]), but input 'features' (float32[N,8]) has rank 2. For a single row, wrap it in one more array: [[…]]."
        },
        {
            "tabular_mlp", """{"features": [[1,2,3]]}""", "$.features",
            "'$.features' has shape [1,3], but input 'features' (float32[N,8]) needs size 8 in dimension 1."
        },
        {
            "mixed_inputs", """{"x": [[1,2,3,4],[5,6,7,8]], "category": [[1]]}""", "$.category",
            "'$.category' has size 1 in dimension 0 ('N'), but '$.x' has 2 in dimension 0; inputs that share the dimension 'N' must agree."
        },
        {
            "tabular_mlp", """{"features": [[1,2,3,4,5,6,7,8],[1,2]]}""", "$.features[1]",
            "'$.features[1]' has 2 elements, but '$.features[0]' has 8; a tensor must be a rectangular nested array (ragged arrays are not allowed)."
        },
        {
            "tabular_mlp", """{"features": [[1,2,3,4,5,6,7,[8]]]}""", "$.features[0][7]",
            "'$.features[0][7]' is an array, but '$.features[0][0]' at the same depth is a single value; a tensor must be a rectangular nested array (ragged arrays are not allowed)."
        },
        {
            "tabular_mlp", """{"features": [[1,2,"three",4,5,6,7,8]]}""", "$.features[0][2]",
            "'$.features[0][2]' is a string, but '$.features[0][0]' is a number; all elements of a tensor must be of one kind (all numbers, all strings or all true/false)."
        },
        {
            "tabular_mlp", """{"features": [[1,null,3,4,5,6,7,8]]}""", "$.features[0][1]",
            "'$.features[0][1]' is null; tensor elements must be numbers, strings or true/false."
        },
        {
            "tabular_mlp", """{"features": [[1,{"a":1},3,4,5,6,7,8]]}""", "$.features[0][1]",
            "'$.features[0][1]' is an object; tensor elements must be numbers, strings or true/false."
        },
        {
            "all_types", """{"f32": [[1,2]], "f64": [[1,2]], "i32": [3000000000], "i64": [1], "b": [true], "s": ["a"]}""", "$.i32[0]",
            "'$.i32[0]' is 3000000000, which is out of range for input 'i32' (int32[N]): it takes integers from -2147483648 to 2147483647."
        },
        {
            "all_types", """{"f32": [[1,2]], "f64": [[1,2]], "i32": [3], "i64": [1], "b": [1], "s": ["a"]}""", "$.b",
            "'$.b' must hold true/false values for input 'b' (bool[N]), not numbers."
        },
        {
            "all_types", """{"f32": [[1,2]], "f64": [[1,2]], "i32": [3], "i64": [1], "b": [true], "s": [7]}""", "$.s",
            "'$.s' must hold strings for input 's' (string[N]), not numbers."
        },
        {
            "tabular_mlp", """[[1,2,3,4,5,6,7,8]]""", "$",
            "'$' must be a JSON object of input name → tensor (a nested array, or a single value for a scalar), such as {\"x\": [[0.5, 1.5]]}, not an array."
        },
    };

    [Theory]
    [MemberData(nameof(BadFeatures))]
    public async Task PredictAsync_BadFeatures_ThrowsModelFeaturesExceptionNamingTheProblem(string model, string features, string path, string message)
    {
        using var host = await StartRuntimeHostAsync(model);
        var client = GetJsonClient(host, model);

        var error = await Assert.ThrowsAsync<ModelFeaturesException>(
            async () => await client.PredictAsync(JsonDocument.Parse(features).RootElement, version: null));

        Assert.Equal(message, error.Message);
        Assert.Equal(path, error.Path);
        Assert.Equal(model, error.ModelName);
        await host.StopAsync();
    }

    [Fact]
    public void Serialize_OutputWithNaN_WritesItOnlyWhenAllowed()
    {
        var tensor = Tensor.Create(new[] { float.NaN, 1f }, 2);

        var strict = Assert.Throws<JsonException>(() => JsonSerializer.Serialize(tensor, Strict));

        Assert.Contains("NaN", strict.Message, StringComparison.Ordinal);
        Assert.Equal("""["NaN",1]""", JsonSerializer.Serialize(tensor, Lenient));
    }

    private static Task<IHost> StartRuntimeHostAsync(string model) =>
        TestHost.StartAsync(
            b => b.AddOnnxRuntime(),
            new Dictionary<string, string?>
            {
                [$"ModelServing:Models:{model}:Runtime"] = "onnx",
                [$"ModelServing:Models:{model}:Store"] = Fixtures.ModelsRoot,
                [$"ModelServing:Models:{model}:RequireSelfTests"] = "true",
            });

    private static IJsonModelClient GetJsonClient(IHost host, string model) =>
        host.Services.GetRequiredService<IModelProvider>().TryGetJsonClient(model, out var client)
            ? client
            : throw new InvalidOperationException($"No JSON client for {model}.");

    private static JsonElement ReadOutput(JsonPrediction prediction)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            prediction.WriteOutput(writer);
        }

        return JsonDocument.Parse(stream.ToArray()).RootElement;
    }
}
