using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LyftServing.Benchmarks;

/// <summary>Features of <c>bench_mlp</c> (64 floats → 1 float), the ONNX model of the issue-level benchmarks.</summary>
public sealed record MlpFeatures(float[] Values);

/// <summary>Hosts <c>bench_mlp</c> from a temporary store, typed through the ONNX adapter.</summary>
public sealed class BenchMlp : IAsyncDisposable
{
    private readonly string _store;

    private BenchMlp(IHost host, string store)
    {
        Host = host;
        _store = store;
        Client = host.Services.GetRequiredKeyedService<IModelClient<MlpFeatures, float>>("bench_mlp");
    }

    public IHost Host { get; }

    public IModelClient<MlpFeatures, float> Client { get; }

    public static MlpFeatures Row(int seed) => new([.. Enumerable.Range(0, 64).Select(i => (float)Math.Sin(seed + i))]);

    /// <summary>Starts a host serving <c>bench_mlp</c> with the given versions (identical copies of the model).</summary>
    public static async Task<BenchMlp> StartAsync(Action<ModelBuilder> configure, int versions = 1, int intraOpThreads = 1)
    {
        var store = Directory.CreateTempSubdirectory("lyftserving-bench-").FullName;
        for (var version = 1; version <= versions; version++)
        {
            var directory = Path.Combine(store, "bench_mlp", version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Directory.CreateDirectory(directory);
            File.Copy(Path.Combine(AppContext.BaseDirectory, "assets", "models", "bench_mlp", "1", "model.onnx"), Path.Combine(directory, "model.onnx"));
        }

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddModelServing()
            .AddOnnxModel<MlpFeatures, float>(
                "bench_mlp",
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
