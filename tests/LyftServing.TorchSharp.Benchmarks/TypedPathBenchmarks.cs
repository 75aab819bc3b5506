using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TorchSharp;

namespace LyftServing.TorchSharp.Benchmarks;

/// <summary>
/// One prediction of a TorchScript model through the host against a raw TorchSharp forward call on
/// the very same module: in inference mode, a tensor over the features, <c>module.call</c>, read
/// the output, dispose both tensors. The host's typed path (<c>IModelClient&lt;float[], float&gt;</c>
/// of a <see cref="TorchSharpModel{TFeatures, TOutput}"/>) and the zero-code <c>torchscript</c>
/// runtime (<c>IModelClient&lt;Tensors, Tensors&gt;</c>) are measured against it.
/// </summary>
[MemoryDiagnoser]
public class TypedPathBenchmarks
{
    private IHost _host = null!;
    private string _store = null!;
    private IModelClient<float[], float> _typed = null!;
    private IModelClient<Tensors, Tensors> _tensors = null!;
    private TorchSharpModel<float[], float> _model = null!;
    private torch.nn.IModule<torch.Tensor, torch.Tensor> _module = null!;
    private float[] _features = null!;
    private Tensors _tensorFeatures = null!;
    private long[] _shape = null!;
    private string _output = null!;

    [Params("tabular_mlp", "bench_mlp")]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var width = Model == "bench_mlp" ? 64 : 8;
        _output = Model == "bench_mlp" ? "output" : "score";

        // The typed model's version has the TorchScript file only (its testdata.json is in the
        // torchscript runtime's format); the runtime's version is the test asset as it is.
        _store = Directory.CreateTempSubdirectory("lyftserving-torch-bench-").FullName;
        var source = Path.Combine(AppContext.BaseDirectory, "assets", "torchscript", Model, "1");
        Directory.CreateDirectory(Path.Combine(_store, "typed", "1"));
        File.Copy(Path.Combine(source, "model.pt"), Path.Combine(_store, "typed", "1", "model.pt"));
        Directory.CreateDirectory(Path.Combine(_store, "runtime", "1"));
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(_store, "runtime", "1", Path.GetFileName(file)));
        }

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging();
        builder.Services.AddModelServing()
            .AddTorchSharpModel<TabularTorchModel, float[], float>("typed", m => m.FromStore(_store))
            .AddTorchScriptModel("runtime", m => m.FromStore(_store));
        _host = builder.Build();
        _host.StartAsync().GetAwaiter().GetResult();
        _typed = _host.Services.GetRequiredKeyedService<IModelClient<float[], float>>("typed");
        _tensors = _host.Services.GetRequiredKeyedService<IModelClient<Tensors, Tensors>>("runtime");
        _module = TabularTorchModel.LastLoaded!;

        // The model code alone, on its own load of the same file, to split the host's overhead from the runtime's.
        var services = new ServiceCollection().AddLogging();
        services.AddModelServing().AddModelSettings<TorchSharpSettings>(TorchSharpSettings.SectionName);
        var provider = services.BuildServiceProvider();
        _model = ActivatorUtilities.CreateInstance<TabularTorchModel>(provider);
        _model.LoadAsync(ModelArtifact.FromDirectoryAsync("typed", "1", Path.Combine(_store, "typed", "1")).AsTask().GetAwaiter().GetResult(), CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _module = _module is null ? throw new InvalidOperationException("The host loaded no module.") : _module;

        _features = [.. Enumerable.Range(0, width).Select(i => (float)Math.Sin(i))];
        _shape = [1, width];
        _tensorFeatures = new Tensors { { "features", Tensor.Create(_features, 1, width) } };

        // The raw call uses the settings the host applies: one intra-op thread.
        torch.set_num_threads(1);
        if (Math.Abs(RawForward() - HostTyped()) > 1e-6 || Math.Abs(RuntimeOnly() - HostTyped()) > 1e-6 || Math.Abs(HostTensors() - HostTyped()) > 1e-6)
        {
            throw new InvalidOperationException("The raw call and the host disagree.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
        Directory.Delete(_store, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "raw TorchSharp forward")]
    public float RawForward()
    {
        using var inference = torch.inference_mode();
        using var input = torch.tensor(_features, _shape);
        using var output = _module.call(input);
        return output.ReadCpuSingle(0);
    }

    [Benchmark(Description = "LyftServing typed PredictAsync")]
    public float HostTyped()
    {
        var pending = _typed.PredictAsync(_features);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The model code alone, without the host: splits the host's overhead from the runtime's.</summary>
    [Benchmark(Description = "TorchSharpModel.Predict (no host)")]
    public float RuntimeOnly() => _model.Predict(_features);

    [Benchmark(Description = "torchscript runtime PredictAsync (Tensors)")]
    public float HostTensors()
    {
        var pending = _tensors.PredictAsync(_tensorFeatures);
        var result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        return result[_output].GetValues<float>()[0];
    }
}
