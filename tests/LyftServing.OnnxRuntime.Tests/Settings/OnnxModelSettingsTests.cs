using LyftServing.OnnxRuntime.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LyftServing.OnnxRuntime.Tests.Settings;

public sealed class OnnxModelSettingsTests
{
    [Fact]
    public async Task StartAsync_SettingsFromConfiguration_AppliedToSession()
    {
        using var host = await TestHost.StartAsync(
            b => b.AddOnnxRuntime(),
            Configure("tabular_mlp", ("Onnx:IntraOpNumThreads", "2"), ("Onnx:GraphOptimizationLevel", "Basic")),
            s => s.AddFakeLogging());

        var log = host.Services.GetFakeLogCollector().GetSnapshot().Single(r => r.Id.Name == "SessionCreated");

        Assert.Equal(
            "Model 'tabular_mlp' version '1': ONNX Runtime session on CPUExecutionProvider (intra-op threads 2, inter-op threads 1, optimisation Basic); inputs: features (float32[N,8]); outputs: score (float32[N,1])",
            log.Message);
        await host.StopAsync();
    }

    [Fact]
    public async Task StartAsync_SettingsInCode_AppliedToSession()
    {
        using var host = await TestHost.StartAsync(
            b => b.AddOnnxModel("tabular_mlp", m => m.FromStore(Fixtures.ModelsRoot).ConfigureOnnx(s => s.InterOpNumThreads = 3)),
            services: s => s.AddFakeLogging());

        var log = host.Services.GetFakeLogCollector().GetSnapshot().Single(r => r.Id.Name == "SessionCreated");

        Assert.Contains("inter-op threads 3", log.Message, StringComparison.Ordinal);
        Assert.Contains("intra-op threads 1", log.Message, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public void Defaults_SmallModelFriendly_OneThreadAllOptimisationsCpu()
    {
        var settings = new OnnxModelSettings();

        Assert.Equal(1, settings.IntraOpNumThreads);
        Assert.Equal(1, settings.InterOpNumThreads);
        Assert.Equal(OnnxGraphOptimizationLevel.All, settings.GraphOptimizationLevel);
        Assert.Equal(OnnxExecutionProvider.Cpu, settings.ExecutionProvider);
    }

    [Fact]
    public async Task StartAsync_CudaOnCpuOnlyBuild_FailsWithClearError()
    {
        var error = await Assert.ThrowsAsync<ModelLoadException>(() => TestHost.StartAsync(
            b => b.AddOnnxRuntime(),
            Configure("tabular_mlp", ("Onnx:ExecutionProvider", "Cuda"))));

        Assert.Equal(
            "Model 'tabular_mlp' version '1' failed to load: InvalidOperationException: Model 'tabular_mlp' asks for the CUDA execution provider (ModelServing:Models:tabular_mlp:Onnx:ExecutionProvider = Cuda), but this ONNX Runtime build has no CUDA support (available providers: CPUExecutionProvider). Reference Microsoft.ML.OnnxRuntime.Gpu instead of Microsoft.ML.OnnxRuntime and install CUDA and cuDNN, or set ExecutionProvider to Cpu.",
            error.Message);
    }

    [Fact]
    public async Task StartAsync_NegativeThreads_FailsNamingTheKey()
    {
        // Checked at start-up, before any version loads.
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartAsync(
            b => b.AddOnnxRuntime(),
            Configure("tabular_mlp", ("Onnx:IntraOpNumThreads", "-1"))));

        Assert.Contains("ModelServing:Models:tabular_mlp:Onnx:IntraOpNumThreads must be from 0 (ONNX Runtime chooses) to 1024; it is -1.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_UnknownSettingsKey_FailsNamingTheKey()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartAsync(
            b => b.AddOnnxRuntime(),
            Configure("tabular_mlp", ("Onnx:Threads", "4"))));

        Assert.Contains("'Threads'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ModelServing:Models:tabular_mlp:Onnx", error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Configure(string model, params (string Key, string Value)[] settings)
    {
        var configuration = new Dictionary<string, string?>
        {
            [$"ModelServing:Models:{model}:Runtime"] = "onnx",
            [$"ModelServing:Models:{model}:Store"] = Fixtures.ModelsRoot,
        };
        foreach (var (key, value) in settings)
        {
            configuration[$"ModelServing:Models:{model}:{key}"] = value;
        }

        return configuration;
    }
}
