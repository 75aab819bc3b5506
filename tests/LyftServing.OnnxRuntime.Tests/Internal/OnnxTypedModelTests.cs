using System.Text.Json;
using LyftServing.OnnxRuntime.Internal;
using LyftServing.OnnxRuntime.Tests.TestSupport;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace LyftServing.OnnxRuntime.Tests.Internal;

/// <summary>The typed path: AddOnnxModel&lt;TFeatures, TOutput&gt; with pre-allocated, pre-bound buffers.</summary>
public sealed class OnnxTypedModelTests : IDisposable
{
    private const double Tolerance = 1e-5;
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Theory]
    [InlineData("tabular_mlp")]
    [InlineData("bench_mlp")]
    public async Task PredictAsync_TabularFixtureCases_ReproduceExpectedOutputs(string model)
    {
        _store.AddVersion(model, "1", model, Fixtures.TypedTestData(model));
        using var host = await TestHost.StartAsync(b => b.AddOnnxModel<TabularFeatures, float>(
            model, model == "bench_mlp" ? Mappings.Bench : Mappings.Tabular, m => m.FromStore(_store.Root).RequireSelfTests()));
        var client = host.Services.GetRequiredKeyedService<IModelClient<TabularFeatures, float>>(model);

        foreach (var testCase in Fixtures.Cases(model))
        {
            Assert.Equal(Fixtures.Expected(model, testCase), await client.PredictAsync(Fixtures.Tabular(testCase)), Tolerance);
        }

        // The fixture's cases also ran as self-tests from the typed testdata.json.
        var status = host.Services.GetRequiredService<IModelManager>().GetStatus(model);
        Assert.Equal(5, Assert.Single(status.Versions).SelfTests!.Passed);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_MixedInputsFixtureCases_ReproduceExpectedOutputs()
    {
        _store.AddVersion("mixed_inputs", "1", "mixed_inputs", Fixtures.TypedTestData("mixed_inputs"));
        using var host = await TestHost.StartAsync(b => b.AddOnnxModel<MixedFeatures, float>(
            "mixed_inputs", Mappings.Mixed, m => m.FromStore(_store.Root).RequireSelfTests()));
        var client = host.Services.GetRequiredKeyedService<IModelClient<MixedFeatures, float>>("mixed_inputs");

        foreach (var testCase in Fixtures.Cases("mixed_inputs"))
        {
            Assert.Equal(Fixtures.Expected("mixed_inputs", testCase), await client.PredictAsync(Fixtures.Mixed(testCase)), Tolerance);
        }

        await host.StopAsync();
    }

    [Theory]
    [InlineData("tabular_mlp")]
    [InlineData("bench_mlp")]
    public async Task PredictBatch_TabularFixtureCases_ReproduceEveryRowInOneRun(string model)
    {
        var version = _store.AddVersion(model, "1", model);
        var (onnx, services) = await TestHost.LoadModelAsync<OnnxTypedModel<TabularFeatures, float>, TabularFeatures, float>(
            model, version, b => b.AddOnnxRuntime(), sp => OnnxModelCode.Typed<TabularFeatures, float>(sp, model, model == "bench_mlp" ? Mappings.Bench : Mappings.Tabular));
        using var _ = services;
        using var __ = onnx;
        var cases = Fixtures.Cases(model);
        var outputs = new float[cases.Count];

        onnx.PredictBatch(cases.Select(Fixtures.Tabular).ToArray(), outputs);

        for (var i = 0; i < cases.Count; i++)
        {
            Assert.Equal(Fixtures.Expected(model, cases[i]), outputs[i], Tolerance);
        }
    }

    [Fact]
    public async Task PredictBatch_MixedInputsFixtureCases_ReproduceEveryRowInOneRun()
    {
        var version = _store.AddVersion("mixed_inputs", "1", "mixed_inputs");
        var (onnx, services) = await TestHost.LoadModelAsync<OnnxTypedModel<MixedFeatures, float>, MixedFeatures, float>(
            "mixed_inputs", version, b => b.AddOnnxRuntime(), sp => OnnxModelCode.Typed<MixedFeatures, float>(sp, "mixed_inputs", Mappings.Mixed));
        using var _ = services;
        using var __ = onnx;
        var cases = Fixtures.Cases("mixed_inputs");
        var outputs = new float[cases.Count];

        onnx.PredictBatch(cases.Select(Fixtures.Mixed).ToArray(), outputs);

        for (var i = 0; i < cases.Count; i++)
        {
            Assert.Equal(Fixtures.Expected("mixed_inputs", cases[i]), outputs[i], Tolerance);
        }
    }

    [Fact]
    public async Task PredictAsync_DynamicBatching_CoalescesCallersIntoBatchRuns()
    {
        _store.AddVersion("mixed_inputs", "1", "mixed_inputs");
        using var host = await TestHost.StartAsync(b => b.AddOnnxModel<MixedFeatures, float>(
            "mixed_inputs", Mappings.Mixed, m => m.FromStore(_store.Root).UseDynamicBatching(16, TimeSpan.FromMilliseconds(5))));
        using var batchSizes = new MetricCollector<int>(host.Services.GetRequiredService<IMeterFactory>(), "LyftServing", "lyftserving.batch.size");
        var client = host.Services.GetRequiredKeyedService<IModelClient<MixedFeatures, float>>("mixed_inputs");

        var callers = Enumerable.Range(0, 16).Select(caller => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                Assert.Equal(caller + i + 1f + (caller * 100), await client.PredictAsync(new MixedFeatures([caller, i, 0.5f, 0.5f], caller * 100)));
            }
        }));
        await Task.WhenAll(callers);

        var sizes = batchSizes.GetMeasurementSnapshot().Select(m => m.Value).ToArray();
        Assert.Equal(16 * 50, sizes.Sum());
        Assert.Contains(sizes, size => size > 1);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_TypedModelThroughJson_BindsFeaturesAndReproducesOutput()
    {
        _store.AddVersion("tabular_mlp", "1", "tabular_mlp");
        using var host = await TestHost.StartAsync(b => b.AddOnnxModel<TabularFeatures, float>("tabular_mlp", Mappings.Tabular, m => m.FromStore(_store.Root)));
        host.Services.GetRequiredService<IModelProvider>().TryGetJsonClient("tabular_mlp", out var client);
        var testCase = Fixtures.Cases("tabular_mlp")[0];

        var prediction = await client!.PredictAsync(JsonSerializer.SerializeToElement(new { features = Fixtures.Tabular(testCase).Features }), version: null);

        Assert.Equal(Fixtures.Expected("tabular_mlp", testCase), (float)prediction.Output!, Tolerance);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_SteadyState_AllocatesNothing()
    {
        _store.AddVersion("bench_mlp", "1", "bench_mlp");
        using var host = await TestHost.StartAsync(b => b.AddOnnxModel<TabularFeatures, float>("bench_mlp", Mappings.Bench, m => m.FromStore(_store.Root)));
        var client = host.Services.GetRequiredKeyedService<IModelClient<TabularFeatures, float>>("bench_mlp");
        var features = Fixtures.Tabular(Fixtures.Cases("bench_mlp")[0]);
        for (var i = 0; i < 100; i++)
        {
            await client.PredictAsync(features);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = 0f;
        for (var i = 0; i < 1000; i++)
        {
            sum += await client.PredictAsync(features);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(sum > 0);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_SixteenConcurrentCallers_EveryResultCorrect()
    {
        _store.AddVersion("mixed_inputs", "1", "mixed_inputs");
        using var host = await TestHost.StartAsync(b => b.AddOnnxModel<MixedFeatures, float>("mixed_inputs", Mappings.Mixed, m => m.FromStore(_store.Root)));
        var client = host.Services.GetRequiredKeyedService<IModelClient<MixedFeatures, float>>("mixed_inputs");

        // y = sum(x) + category: every caller uses its own category, so crossed buffers would show.
        var callers = Enumerable.Range(0, 16).Select(caller => Task.Run(async () =>
        {
            for (var i = 0; i < 500; i++)
            {
                var features = new MixedFeatures([caller, i, 0.5f, 0.25f], caller * 1000);
                Assert.Equal(caller + i + 0.75f + (caller * 1000), await client.PredictAsync(features));
            }
        }));

        await Task.WhenAll(callers);
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictAsync_MapOutputsOverAllOutputs_ReadsByName()
    {
        _store.AddVersion("mixed_inputs", "1", "mixed_inputs");
        using var host = await TestHost.StartAsync(b => b.AddOnnxModel<MixedFeatures, double>(
            "mixed_inputs",
            onnx => onnx
                .MapInput<float>("x", (f, row) => f.X.CopyTo(row))
                .MapInput<long>("category", (f, row) => row[0] = f.Category)
                .MapOutputs(outputs => outputs.Get<float>("y")[0] * 2d),
            m => m.FromStore(_store.Root)));
        var client = host.Services.GetRequiredKeyedService<IModelClient<MixedFeatures, double>>("mixed_inputs");

        Assert.Equal(22d, await client.PredictAsync(new MixedFeatures([1, 2, 3, 4], 1)));
        await host.StopAsync();
    }

    [Fact]
    public async Task PredictBatch_ModelWithoutBatchDimension_RunsRowByRow()
    {
        var version = Path.Combine(_store.Root, "fixed_shape", "1");
        Directory.CreateDirectory(version);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "assets", "fixed_shape", "model.onnx"), Path.Combine(version, "model.onnx"));
        var (onnx, services) = await TestHost.LoadModelAsync<OnnxTypedModel<float[], float>, float[], float>(
            "fixed_shape", version, b => b.AddOnnxRuntime(), sp => OnnxModelCode.Typed<float[], float>(sp, "fixed_shape", onnx => onnx
                .MapInput<float>("x", (features, row) => features.CopyTo(row))
                .MapOutput<float>("x_out", row => row[0] + row[1] + row[2])));
        using var _ = services;
        using var __ = onnx;
        var outputs = new float[2];

        Assert.Equal(6f, onnx.Predict([1, 2, 3]));
        onnx.PredictBatch(new[] { new float[] { 1, 1, 1 }, new float[] { 2, 2, 2 } }, outputs);

        Assert.Equal([3f, 6f], outputs);
    }

    [Fact]
    public async Task PredictAsync_EveryNumericElementType_WritesAndReadsEachBuffer()
    {
        var version = Path.Combine(_store.Root, "numeric_types", "1");
        Directory.CreateDirectory(version);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "assets", "numeric_types", "model.onnx"), Path.Combine(version, "model.onnx"));
        using var host = await TestHost.StartAsync(b => b.AddOnnxModel<int, string>(
            "numeric_types",
            onnx => onnx
                .MapInput<float>("f32", (f, row) => row.Fill(f + 0.5f))
                .MapInput<double>("f64", (f, row) => row.Fill(f + 0.25))
                .MapInput<int>("i32", (f, row) => row[0] = f)
                .MapInput<long>("i64", (f, row) => row[0] = (long)f << 40)
                .MapInput<bool>("b", (f, row) => row[0] = f % 2 == 0)
                .MapOutputs(o => $"{o.Get<float>("f32_out")[1]} {o.Get<double>("f64_out")[1]} {o.Get<int>("i32_out")[0]} {o.Get<long>("i64_out")[0]} {o.Get<bool>("b_out")[0]}"),
            m => m.FromStore(_store.Root)));
        var client = host.Services.GetRequiredKeyedService<IModelClient<int, string>>("numeric_types");

        Assert.Equal("3.5 3.25 3 3298534883328 False", await client.PredictAsync(3));
        Assert.Equal("4.5 4.25 4 4398046511104 True", await client.PredictAsync(4));
        await host.StopAsync();
    }

    [Fact]
    public async Task Dispose_WhileCallRuns_ReleasesSessionOnlyAfterTheCall()
    {
        // What the host does when a call outlives the drain timeout: the version is disposed under it.
        var version = _store.AddVersion("tabular_mlp", "1", "tabular_mlp");
        using var entered = new ManualResetEventSlim();
        using var proceed = new ManualResetEventSlim();
        var (onnx, services) = await TestHost.LoadModelAsync<OnnxTypedModel<TabularFeatures, float>, TabularFeatures, float>(
            "tabular_mlp", version, b => b.AddOnnxRuntime(), sp => OnnxModelCode.Typed<TabularFeatures, float>(sp, "tabular_mlp", onnx => onnx
                .MapInput<float>("features", (features, row) =>
                {
                    entered.Set();
                    proceed.Wait();
                    features.Features.CopyTo(row);
                })
                .MapOutput<float>("score", row => row[0])));
        using var _ = services;
        var testCase = Fixtures.Cases("tabular_mlp")[0];
        var call = Task.Run(() => onnx.Predict(Fixtures.Tabular(testCase)));
        entered.Wait();

        onnx.Dispose();
        proceed.Set();

        Assert.Equal(Fixtures.Expected("tabular_mlp", testCase), await call, Tolerance);
        var error = Assert.Throws<ObjectDisposedException>(() => onnx.Predict(Fixtures.Tabular(testCase)));
        Assert.Contains("Model 'tabular_mlp' version '1' has been unloaded.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_StringInput_FailsLoadPointingToUntypedPath()
    {
        _store.AddVersion("all_types", "1", "all_types");

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => TestHost.StartAsync(b => b.AddOnnxModel<int, int>(
            "all_types",
            onnx => onnx.MapInput<int>("i32", (f, row) => row[0] = f).MapOutput<int>("i32_out", row => row[0]),
            m => m.FromStore(_store.Root))));

        Assert.EndsWith(
            "Input 's' (string[N]) of model 'all_types' cannot be written by the typed path, which binds float32, float64, int32, int64 and bool tensors; serve the model with the untyped onnx runtime (Tensors) instead.",
            error.Message,
            StringComparison.Ordinal);
    }

    public static TheoryData<string, Action<OnnxMappingBuilder<MixedFeatures, float>>, string> BadMappings => new()
    {
        {
            "wrong element type",
            onnx => onnx.MapInput<float>("x", (f, row) => f.X.CopyTo(row)).MapInput<float>("category", (f, row) => row[0] = f.Category).MapOutput<float>("y", row => row[0]),
            "MapInput<Single>(\"category\") of model 'mixed_inputs' uses float32, but input 'category' is int64[N,1]; use MapInput<long>."
        },
        {
            "unmapped input",
            onnx => onnx.MapInput<float>("x", (f, row) => f.X.CopyTo(row)).MapOutput<float>("y", row => row[0]),
            "Input 'category' (int64[N,1]) of model 'mixed_inputs' is not mapped; add .MapInput<long>(\"category\", (features, row) => …) to AddOnnxModel."
        },
        {
            "unknown input",
            onnx => onnx.MapInput<float>("x", (f, row) => f.X.CopyTo(row)).MapInput<long>("category", (f, row) => row[0] = f.Category).MapInput<long>("colour", (f, row) => row[0] = 1).MapOutput<float>("y", row => row[0]),
            "The mapping of model 'mixed_inputs' maps the input 'colour', which the model does not have; its inputs are: x (float32[N,4]), category (int64[N,1])."
        },
        {
            "unknown output",
            onnx => onnx.MapInput<float>("x", (f, row) => f.X.CopyTo(row)).MapInput<long>("category", (f, row) => row[0] = f.Category).MapOutput<float>("score", row => row[0]),
            "The mapping of model 'mixed_inputs' reads the output 'score', which the model does not have; its outputs are: y (float32[N,1])."
        },
        {
            "wrong output type",
            onnx => onnx.MapInput<float>("x", (f, row) => f.X.CopyTo(row)).MapInput<long>("category", (f, row) => row[0] = f.Category).MapOutput<double>("y", row => (float)row[0]),
            "MapOutput<Double>(\"y\") of model 'mixed_inputs' uses float64, but output 'y' is float32[N,1]; use MapOutput<float>."
        },
    };

    [Theory]
    [MemberData(nameof(BadMappings))]
    public async Task StartAsync_MappingDoesNotFitModel_FailsLoadNamingTheMismatch(string scenario, Action<OnnxMappingBuilder<MixedFeatures, float>> map, string message)
    {
        _store.AddVersion("mixed_inputs", "1", "mixed_inputs");

        var error = await Assert.ThrowsAsync<ModelLoadException>(
            () => TestHost.StartAsync(b => b.AddOnnxModel("mixed_inputs", map, m => m.FromStore(_store.Root))));

        Assert.Equal($"Model 'mixed_inputs' version '1' failed to load: InvalidOperationException: {message}", error.Message);
        Assert.NotEmpty(scenario);
    }
}
