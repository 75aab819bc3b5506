using LyftServing.TorchSharp.Tests.Internal;
using Microsoft.Extensions.Options;

namespace LyftServing.TorchSharp.Tests.DependencyInjection;

/// <summary>Registration, and the TorchSharp settings from code, model.json properties and configuration.</summary>
public sealed class TorchSharpModelServingBuilderExtensionsTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public void AddTorchScriptRuntime_CalledTwice_RegistersOnce()
    {
        var services = new ServiceCollection();

        services.AddModelServing().AddTorchScriptRuntime().AddTorchScriptRuntime().AddTorchScriptModel("a");

        Assert.Single(services, d => d.ImplementationInstance?.GetType().Name == "ModelRuntimeRegistration");
    }

    [Fact]
    public void ConfigureTorchSharp_ModelOfAnotherRuntime_ThrowsInsteadOfIgnoringTheSettings()
    {
        var builder = new ServiceCollection().AddModelServing().AddTorchScriptRuntime();

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddOnnxModel("fraud", m => m.ConfigureTorchSharp(s => s.IntraOpThreads = 2)));

        Assert.Equal("Model 'fraud' does not read TorchSharpSettings, so these settings would be ignored; it reads OnnxModelSettings.", error.Message);
    }

    [Fact]
    public async Task AddTorchScriptModel_InputsAndOutputsDeclaredInCode_ServeAVersionWithoutProperties()
    {
        _store.AddVersion("tabular", "1", Assets.TorchScript("tabular_mlp"), dir => File.WriteAllText(Path.Combine(dir, "model.json"), "{}"));
        using var host = await TestHost.StartAsync(b => b.AddTorchScriptModel("tabular", m => m
            .FromStore(_store.Root)
            .RequireSelfTests()
            .ConfigureTorchSharp(s =>
            {
                s.Inputs.Add(new TorchScriptTensor { Name = "features", DType = TensorElementType.Float32, Shape = [-1, 8] });
                s.Outputs.Add(new TorchScriptTensor { Name = "score" });
            })));

        var version = host.Services.GetRequiredService<IModelManager>().GetStatus("tabular").Versions.Single();

        Assert.Equal(ModelVersionState.Ready, version.State);
        Assert.Equal((5, 0), (version.SelfTests!.Passed, version.SelfTests.Failed));
        Assert.Equal("float32[N,1]", version.Signature!.Outputs.Single().ToString());
        await host.StopAsync();
    }

    [Fact]
    public async Task Configuration_InputsAndOutputsUnderTheModelsSection_ServeAVersionWithoutProperties()
    {
        _store.AddVersion("tabular", "1", Assets.TorchScript("tabular_mlp"), dir => File.WriteAllText(Path.Combine(dir, "model.json"), "{}"));

        using var host = await TorchScriptModelTests.StartAsync(_store.Root, new Dictionary<string, string?>
        {
            ["ModelServing:DiscoverModels"] = "false",
            ["ModelServing:Models:tabular:Runtime"] = "torchscript",
            ["ModelServing:Models:tabular:TorchSharp:Inputs:0:Name"] = "features",
            ["ModelServing:Models:tabular:TorchSharp:Inputs:0:Shape:0"] = "-1",
            ["ModelServing:Models:tabular:TorchSharp:Inputs:0:Shape:1"] = "8",
            ["ModelServing:Models:tabular:TorchSharp:Outputs:0"] = "score",
        });

        var version = host.Services.GetRequiredService<IModelManager>().GetStatus("tabular").Versions.Single();
        Assert.Equal(ModelVersionState.Ready, version.State);
        Assert.Equal("features float32[N,8] -> score float32[N,1]", $"{version.Signature!.Inputs[0].Name} {version.Signature.Inputs[0]} -> {version.Signature.Outputs[0].Name} {version.Signature.Outputs[0]}");
        await host.StopAsync();
    }

    [Fact]
    public async Task StartAsync_InvalidSettingsInConfiguration_StopsNamingTheKey()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TorchScriptModelTests.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["ModelServing:Models:tabular_mlp:Runtime"] = "torchscript",
            ["ModelServing:Models:tabular_mlp:TorchSharp:IntraOpThreads"] = "-1",
        }));

        Assert.Contains("ModelServing:Models:tabular_mlp:TorchSharp:IntraOpThreads must be from 0 (libtorch's default) to 1024; it is -1.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, 1)]
    [InlineData(4, null, 4)]
    [InlineData(4, 2, 2)]
    [InlineData(null, 2, 2)]
    public async Task IntraOpThreads_CodeThenModelJsonThenConfiguration_TheLastOneSetWins(int? code, int? modelJson, int expected)
    {
        var net = new ProbeNet();
        _store.AddVersion("probe", "1", from: null, dir =>
        {
            if (modelJson is { } threads)
            {
                File.WriteAllText(Path.Combine(dir, "model.json"), $$$"""{"properties": {"intraOpThreads": {{{threads}}}}}""");
            }
        });
        using var host = await TestHost.StartAsync(
            b => b.AddTorchSharpModel<ProbeModel, float, float>("probe", m =>
            {
                m.FromStore(_store.Root);
                if (code is { } threads)
                {
                    m.ConfigureTorchSharp(s => s.IntraOpThreads = threads);
                }
            }),
            services: s => s.AddSingleton(net));

        await host.Services.GetRequiredKeyedService<IModelClient<float, float>>("probe").PredictAsync(1);

        Assert.Equal(expected, net.Threads);
        await host.StopAsync();
    }

    [Fact]
    public async Task IntraOpThreads_ConfigurationOverModelJson_ConfigurationWins()
    {
        var net = new ProbeNet();
        _store.AddVersion("probe", "1", from: null, dir => File.WriteAllText(Path.Combine(dir, "model.json"), """{"properties": {"intraOpThreads": 2}}"""));
        using var host = await TestHost.StartAsync(
            b => b.AddTorchSharpModel<ProbeModel, float, float>("probe", m => m.FromStore(_store.Root)),
            new Dictionary<string, string?> { ["ModelServing:Models:probe:TorchSharp:IntraOpThreads"] = "3" },
            s => s.AddSingleton(net));

        await host.Services.GetRequiredKeyedService<IModelClient<float, float>>("probe").PredictAsync(1);

        Assert.Equal(3, net.Threads);
        await host.StopAsync();
    }
}
