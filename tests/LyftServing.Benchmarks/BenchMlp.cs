using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LyftServing.Benchmarks;

/// <summary>Features of the benchmark MLPs: <c>bench_mlp</c> (64 floats → 1) and <c>wide_mlp</c> (256 floats → 1).</summary>
public sealed record MlpFeatures(float[] Values);

/// <summary>Hosts an ONNX MLP (<c>bench_mlp</c> by default) from a temporary store, typed through the onnx runtime.</summary>
public sealed class BenchMlp : IAsyncDisposable
{
    private readonly string _store;

    private BenchMlp(IHost host, string store)
    {
        Host = host;
        _store = store;
        Client = host.Services.GetRequiredKeyedService<IModelClient<MlpFeatures, float>>(Name);
    }

    public IHost Host { get; }

    public IModelClient<MlpFeatures, float> Client { get; }

    public const string Name = "mlp";

    public static MlpFeatures Row(int seed, int width = 64) => new([.. Enumerable.Range(0, width).Select(i => (float)Math.Sin(seed + i))]);

    /// <summary>Gets the path of a benchmark MLP's ONNX file in the output folder (<c>assets/models/{model}/1/model.onnx</c>).</summary>
    public static string ModelPath(string model) => Path.Combine(AppContext.BaseDirectory, "assets", "models", model, "1", "model.onnx");

    /// <summary>Starts a host serving an MLP as model <c>mlp</c>, with the given versions (identical copies of the model).</summary>
    public static async Task<BenchMlp> StartAsync(Action<ModelBuilder<MlpFeatures, float>> configure, int versions = 1, int intraOpThreads = 1, string model = "bench_mlp")
    {
        var store = Directory.CreateTempSubdirectory("lyftserving-bench-").FullName;
        for (var version = 1; version <= versions; version++)
        {
            var directory = Path.Combine(store, Name, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Directory.CreateDirectory(directory);
            File.Copy(ModelPath(model), Path.Combine(directory, "model.onnx"));
        }

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddModelServing()
            .AddOnnxModel<MlpFeatures, float>(
                Name,
                onnx => onnx
                    .MapInput<float>("features", (features, row) => features.Values.CopyTo(row))
                    .MapOutput<float>("output", row => row[0]),
                m => configure(m.FromStore(store).ConfigureOnnx(s => s.IntraOpNumThreads = intraOpThreads)));
        var host = builder.Build();
        await host.StartAsync();
        return new BenchMlp(host, store);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
        Directory.Delete(_store, recursive: true);
    }
}
