using BenchmarkDotNet.Attributes;
using LyftServing.OnnxRuntime.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace LyftServing.OnnxRuntime.Benchmarks;

/// <summary>The features of tabular_mlp (8 floats) and bench_mlp (64 floats).</summary>
public sealed record Features(float[] Values);

/// <summary>
/// One prediction through the host's typed path (<c>IModelClient.PredictAsync</c> of a model added
/// with <c>AddOnnxModel&lt;TFeatures, TOutput&gt;</c>) against a raw ONNX Runtime IoBinding call on
/// the very same <see cref="InferenceSession"/>: copy the features into a pinned, pre-bound input
/// buffer, <c>RunWithBinding</c>, read the pre-bound output buffer.
/// </summary>
[MemoryDiagnoser]
public class TypedPathBenchmarks
{
    private IHost _host = null!;
    private InferenceSession _session = null!;
    private OnnxTypedModel<Features, float> _model = null!;
    private string _store = null!;
    private IModelClient<Features, float> _client = null!;
    private Features _features = null!;
    private OrtIoBinding _binding = null!;
    private RunOptions _runOptions = null!;
    private OrtValue _inputValue = null!;
    private OrtValue _outputValue = null!;
    private float[] _input = null!;
    private float[] _output = null!;

    [Params("tabular_mlp", "bench_mlp")]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var outputName = Model == "bench_mlp" ? "output" : "score";

        // A store with only the ONNX file: the bundled testdata.json is in the onnx runtime's
        // (Tensors) format, which does not bind to this typed model's features.
        _store = Directory.CreateTempSubdirectory("lyftserving-bench-").FullName;
        Directory.CreateDirectory(Path.Combine(_store, Model, "1"));
        File.Copy(
            Path.Combine(AppContext.BaseDirectory, "assets", "models", Model, "1", "model.onnx"),
            Path.Combine(_store, Model, "1", "model.onnx"));

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging();
        // What AddOnnxModel<Features, float> registers, with a factory that keeps the model code it
        // creates (one version is loaded: it is the primary), so the raw call can use its session.
        var mapping = new OnnxMappingBuilder<Features, float>(Model)
            .MapInput<float>("features", (features, row) => features.Values.CopyTo(row))
            .MapOutput<float>(outputName, row => row[0])
            .Build();
        builder.Services.AddModelServing()
            .AddOnnxRuntime()
            .AddRuntimeModel<Features, float>(
                Model,
                OnnxRuntimeModelServingBuilderExtensions.RuntimeName,
                sp => _model = new OnnxTypedModel<Features, float>(mapping, sp.GetRequiredService<IModelSettings<OnnxModelSettings>>(), sp.GetRequiredService<ILoggerFactory>()),
                m => m.FromStore(_store));
        _host = builder.Build();
        _host.StartAsync().GetAwaiter().GetResult();
        _client = _host.Services.GetRequiredKeyedService<IModelClient<Features, float>>(Model);

        var width = Model == "bench_mlp" ? 64 : 8;
        _features = new Features([.. Enumerable.Range(0, width).Select(i => (float)Math.Sin(i))]);

        // The raw call runs on the session the host loaded, with the same settings.
        _session = _model.Session.Session;
        var session = _session;
        _input = new float[width];
        _output = new float[1];
        _inputValue = OrtValue.CreateTensorValueFromMemory(_input, [1, width]);
        _outputValue = OrtValue.CreateTensorValueFromMemory(_output, [1, 1]);
        _binding = session.CreateIoBinding();
        _binding.BindInput("features", _inputValue);
        _binding.BindOutput(outputName, _outputValue);
        _runOptions = new RunOptions();
        if (Math.Abs(RawIoBinding() - HostTyped()) > 1e-6 || Math.Abs(RuntimeOnly() - HostTyped()) > 1e-6)
        {
            throw new InvalidOperationException("The raw call and the host disagree.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _binding.Dispose();
        _inputValue.Dispose();
        _outputValue.Dispose();
        _runOptions.Dispose();
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
        Directory.Delete(_store, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "raw ORT IoBinding")]
    public float RawIoBinding()
    {
        _features.Values.CopyTo(_input.AsSpan());
        _session.RunWithBinding(_runOptions, _binding);
        return _output[0];
    }

    [Benchmark(Description = "LyftServing typed PredictAsync")]
    public float HostTyped()
    {
        var pending = _client.PredictAsync(_features);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The runtime alone, without the host: splits the host's overhead from the runtime's.</summary>
    [Benchmark(Description = "runtime Predict (no host)")]
    public float RuntimeOnly() => _model.Predict(_features);
}
