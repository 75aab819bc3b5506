using System.Text.Json;
using Abacus.LyftServing;
using LyftServing.Tests.TestModels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace LyftServing.Tests.Samples;

/// <summary>
/// The runtime that docs/how-to/write-a-model-runtime.md builds (samples/AbacusRuntime): served
/// with no C# code of the model's own, on the runtime kit only; and the how-to shows its code as it is.
/// </summary>
public sealed class AbacusRuntimeTests : IDisposable
{
    // y = 1·a + 2·b + 0.5 and z = -a + 0.5
    private const string Model = """{"weights": [[1, -1], [2, 0]], "bias": [0.5, 0.5]}""";
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Discovered_VersionFolder_ServesJsonWithItsSettingsAndSignature()
    {
        _store.AddFiles("linear", "1", new Dictionary<string, string>
        {
            ["model.abacus"] = Model,
            ["model.json"] = """{"runtime": "abacus", "properties": {"inputName": "features", "outputName": "score", "scale": 2}}""",
            ["testdata.json"] = """[{"features": {"features": [[1, 1]]}, "expected": {"score": [[7, -1]]}}]""",
        });
        using var host = await StartAsync(("DiscoverModels", "true"));
        host.Services.GetRequiredService<IModelProvider>().TryGetJsonClient("linear", out var client);

        var prediction = await client!.PredictAsync(JsonDocument.Parse("""{"features": [[1, 1], [0, 0]]}""").RootElement, version: null);

        Assert.Equal("""{"score":[[7,-1],[1,1]]}""", Write(prediction));
        var status = host.Services.GetRequiredService<IModelManager>().GetStatus("linear");
        Assert.Equal("abacus", status.Runtime);
        var version = Assert.Single(status.Versions);
        Assert.Equal(1, version.SelfTests!.Passed);
        Assert.Equal("features (float32[N,2])", $"{version.Signature!.Inputs[0].Name} ({version.Signature.Inputs[0]})");
        await host.StopAsync();
    }

    [Fact]
    public async Task Configured_OneRowByColumnName_AndUnknownNamesListTheColumns()
    {
        _store.AddFiles("linear", "1", new Dictionary<string, string> { ["model.abacus"] = Model });
        using var host = await StartAsync(("Models:linear:Runtime", "abacus"), ("Models:linear:Abacus:Columns:0", "a"), ("Models:linear:Abacus:Columns:1", "b"));
        host.Services.GetRequiredService<IModelProvider>().TryGetJsonClient("linear", out var client);

        var prediction = await client!.PredictAsync(JsonDocument.Parse("""{"b": 1, "a": 2}""").RootElement, version: null);
        var error = await Assert.ThrowsAsync<ModelFeaturesException>(async () =>
            await client.PredictAsync(JsonDocument.Parse("""{"a": 2, "c": 1}""").RootElement, version: null, "$.features"));

        Assert.Equal("""{"y":[[4.5,-1.5]]}""", Write(prediction));
        Assert.Equal("'$.features.c' is not a feature of model 'linear'; its features are: a, b (or send rows as {\"x\": [[…]]}).", error.Message);
        await host.StopAsync();
    }

    [Fact]
    public async Task Load_InvalidSettingInModelJson_FailsNamingThePropertyAndValue()
    {
        _store.AddFiles("linear", "1", new Dictionary<string, string>
        {
            ["model.abacus"] = Model,
            ["model.json"] = """{"runtime": "abacus", "properties": {"scale": 0}}""",
        });

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => StartAsync(("Models:linear:Runtime", "abacus")));

        Assert.Contains("model.json properties.Scale must be between 0.001 and 1000; it is 0.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PredictBatch_RowsOfSeveralCalls_RunAsOneAndSplitBack()
    {
        using var model = await LoadAsync();
        var rows = new[] { Features([1, 1]), Features([0, 0, 2, 0]) };
        var outputs = new Tensors[2];

        model.PredictBatch(rows, outputs);

        Assert.Equal([3.5f, -0.5f], outputs[0]["y"].GetValues<float>().ToArray());
        Assert.Equal([0.5f, 0.5f, 2.5f, -1.5f], outputs[1]["y"].GetValues<float>().ToArray());
        Assert.Equal([2L, 2L], outputs[1]["y"].Shape.ToArray());
    }

    [Fact]
    public async Task Predict_AfterDispose_ThrowsNamingTheVersion()
    {
        var model = await LoadAsync();

        model.Dispose();

        var error = Assert.Throws<ObjectDisposedException>(() => model.Predict(Features([1, 1])));
        Assert.Contains("Model 'linear' version '1' has been unloaded.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigureAbacus_ModelServedByAnotherRuntime_Throws()
    {
        var services = new ServiceCollection().AddModelServing().AddAbacusRuntime();

        var error = Assert.Throws<InvalidOperationException>(() => services.AddModel<LinearModel, NumberFeatures, double>("lin", m => m.ConfigureAbacus(s => s.Scale = 2)));

        Assert.Contains("does not read AbacusSettings", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AbacusEngine.cs")]
    [InlineData("AbacusSettings.cs")]
    [InlineData("AbacusModel.cs")]
    [InlineData("AbacusModelServingBuilderExtensions.cs")]
    public void HowTo_ShowsTheSampleCodeAsItIs(string file)
    {
        var repository = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));
        var howTo = File.ReadAllText(Path.Combine(repository, "docs/how-to/write-a-model-runtime.md"));
        var code = File.ReadAllText(Path.Combine(repository, "samples/AbacusRuntime", file)).ReplaceLineEndings("\n").TrimEnd();

        Assert.Contains($"```csharp\n{code}\n```", howTo.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    private static Tensors Features(float[] values) => new() { { "x", Tensor.Create(values, values.Length / 2, 2) } };

    private static string Write(JsonPrediction prediction)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            prediction.WriteOutput(writer);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private async Task<IHost> StartAsync(params (string Key, string Value)[] settings)
    {
        var configuration = settings.ToDictionary(s => "ModelServing:" + s.Key, s => (string?)s.Value);
        configuration["ModelServing:StoreRoot"] = _store.Root;
        var builder = TestHost.CreateBuilder(configuration: configuration);
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing")).AddAbacusRuntime();
        var host = builder.Build();
        try
        {
            await host.StartAsync();
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    private async Task<AbacusModel> LoadAsync()
    {
        var directory = _store.AddFiles("linear", "1", new Dictionary<string, string> { ["model.abacus"] = Model });
        var services = new ServiceCollection().AddLogging();
        services.AddModelServing().AddAbacusRuntime();
        var model = new AbacusModel(services.BuildServiceProvider().GetRequiredService<IModelSettings<AbacusSettings>>(), NullLogger<AbacusModel>.Instance);
        await model.LoadAsync(await ModelArtifact.FromDirectoryAsync("linear", "1", directory), CancellationToken.None);
        return model;
    }
}
