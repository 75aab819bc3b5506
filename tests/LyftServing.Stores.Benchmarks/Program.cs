using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;
using Amazon.S3;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using LyftServing;
using LyftServing.Stores.AzureBlob;
using LyftServing.Stores.S3;
using LyftServing.Testing;
using LyftServing.Tests.ObjectStores;
using Microsoft.Extensions.DependencyInjection;

// Measures, for S3 in s3rver and Azure Blob in azurite on loopback (eng/emulators.sh installs them):
//   1. the cost of one poll of 100 models x 10 versions (what every model's poller does each
//      interval: list the model's versions, read its decision record), requests and time;
//   2. the cold start of a model with a 50 MB file: from the store with an empty cache, from the
//      store after a restart (verified cache reused), and from a local copy (file-system store).
// Usage: dotnet run -c Release --project tests/LyftServing.Stores.Benchmarks [-- s3|azblob] [--rounds N]
// Prints markdown tables (RESULTS.md holds the committed figures).
var stores = args.Where(a => a is "s3" or "azblob").ToList();
if (stores.Count == 0)
{
    stores = ["s3", "azblob"];
}

var rounds = args.SkipWhile(a => a != "--rounds").Skip(1).Select(int.Parse).FirstOrDefault(7);
var work = Directory.CreateTempSubdirectory("lyftserving-store-bench-").FullName;
try
{
    Console.WriteLine($"{Environment.ProcessorCount} cores, {RuntimeInformationText()}; {rounds} rounds, medians");
    foreach (var kind in stores)
    {
        await using var emulator = kind == "s3" ? Emulator.S3("models") : Emulator.AzureBlob();
        await emulator.StartAsync();
        var backend = new Backend(kind, emulator.Port);
        var folder = Directory.CreateDirectory(Path.Combine(work, kind)).FullName;
        await PollCostAsync(backend, folder, rounds);
        await ColdStartAsync(backend, folder, Math.Max(3, rounds / 2));
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}

static string RuntimeInformationText() => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;

static async Task PollCostAsync(Backend backend, string work, int rounds)
{
    const int Models = 100, Versions = 10;
    var location = new Uri($"{backend.Scheme}://models/poll-{Guid.NewGuid():N}");
    var source = Directory.CreateDirectory(Path.Combine(work, "poll-source")).FullName;
    File.WriteAllText(Path.Combine(source, "weights.json"), "{\"w\": [0.1, 0.2, 0.3]}");
    File.WriteAllText(Path.Combine(source, "model.json"), "{\"runtime\": \"onnx\"}");
    var publisher = backend.CreateStore(location, Path.Combine(work, "poll-publisher"));
    var local = Directory.CreateDirectory(Path.Combine(work, "poll-local")).FullName;
    var publishing = Stopwatch.StartNew();
    await Parallel.ForEachAsync(
        Enumerable.Range(0, Models).SelectMany(m => Enumerable.Range(1, Versions).Select(v => (Model: $"m{m:D3}", Version: v.ToString(CultureInfo.InvariantCulture)))),
        new ParallelOptions { MaxDegreeOfParallelism = 16 },
        async (item, ct) =>
        {
            await backend.PublishAsync(publisher, item.Model, item.Version, source, ct);
            var folder = Directory.CreateDirectory(Path.Combine(local, item.Model, item.Version)).FullName;
            foreach (var file in Directory.GetFiles(source))
            {
                File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
            }
        });
    Console.WriteLine();
    Console.WriteLine($"## {backend.Name}: poll cost, {Models} models x {Versions} versions (published in {publishing.Elapsed.TotalSeconds:F1} s)");
    Console.WriteLine();

    var replica = backend.CreateStore(location, Path.Combine(work, "poll-replica"));
    var fileStore = new FileSystemModelStore(local);
    var results = new Dictionary<string, List<(double Ms, long Requests)>> { ["object store"] = [], ["local directory"] = [] };
    for (var round = 0; round < rounds + 1; round++)
    {
        foreach (var (name, store) in new[] { ("object store", replica), ("local directory", (IModelStore)fileStore) })
        {
            var before = backend.Requests;
            var watch = Stopwatch.StartNew();

            // Every model's poller runs on its own: all 100 at once, as a host with 100 models polls.
            await Parallel.ForEachAsync(Enumerable.Range(0, Models), new ParallelOptions { MaxDegreeOfParallelism = Models }, async (m, ct) =>
            {
                var versions = await store.ListVersionsAsync($"m{m:D3}", ct);
                if (versions.Count != Versions)
                {
                    throw new InvalidOperationException($"m{m:D3} lists {versions.Count} versions");
                }

                await store.ReadDecisionAsync($"m{m:D3}", ct);
            });
            if (round > 0)
            {
                results[name].Add((watch.Elapsed.TotalMilliseconds, name == "object store" ? backend.Requests - before : 0));
            }
        }
    }

    Console.WriteLine("| store | one poll of all 100 models (median) | per model | requests per poll |");
    Console.WriteLine("| --- | --- | --- | --- |");
    foreach (var (name, samples) in results)
    {
        var median = Median(samples.Select(s => s.Ms));
        Console.WriteLine($"| {name} | {median:F1} ms | {median / Models:F2} ms | {(name == "object store" ? Median(samples.Select(s => (double)s.Requests)).ToString("F0", CultureInfo.InvariantCulture) : "none (file system)")} |");
    }
}

static async Task ColdStartAsync(Backend backend, string work, int rounds)
{
    const int Bytes = 50 << 20;
    var location = new Uri($"{backend.Scheme}://models/cold-{Guid.NewGuid():N}");
    var source = Directory.CreateDirectory(Path.Combine(work, "cold-source", "big", "1")).FullName;
    var content = new byte[Bytes];
    new Random(42).NextBytes(content);
    File.WriteAllBytes(Path.Combine(source, "weights.bin"), content);
    await backend.PublishAsync(backend.CreateStore(location, Path.Combine(work, "cold-publisher")), "big", "1", source, default);

    var results = new Dictionary<string, List<double>> { ["local copy (file-system store)"] = [], ["object store, empty cache (download + verify)"] = [], ["object store, restart (verified cache reused)"] = [] };
    for (var round = 0; round < rounds + 1; round++)
    {
        var cache = Path.Combine(work, $"cold-cache-{round}");
        foreach (var name in results.Keys)
        {
            IModelStore store = name.StartsWith("local", StringComparison.Ordinal)
                ? new FileSystemModelStore(Path.GetDirectoryName(Path.GetDirectoryName(source))!)
                : backend.CreateStore(location, cache);
            var watch = Stopwatch.StartNew();
            await using (var host = await ModelTestHost.StartNewAsync(b => b.Services.AddModelServing().UseModelStore(store).AddModel<BigModel, string, long>("big")))
            {
                if (await host.GetClient<string, long>("big").PredictAsync("x") != Bytes)
                {
                    throw new InvalidOperationException("the model did not read its 50 MB");
                }
            }

            if (round > 0)
            {
                results[name].Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        Directory.Delete(cache, recursive: true);
    }

    Console.WriteLine();
    Console.WriteLine($"## {backend.Name}: cold start of a model with a 50 MB file (host start to first answer)");
    Console.WriteLine();
    Console.WriteLine("| source | median | min | max |");
    Console.WriteLine("| --- | --- | --- | --- |");
    foreach (var (name, samples) in results)
    {
        Console.WriteLine($"| {name} | {Median(samples):F0} ms | {samples.Min():F0} ms | {samples.Max():F0} ms |");
    }
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

/// <summary>A model that reads its whole 50 MB file when it loads and answers with its length.</summary>
internal sealed class BigModel : IModel<string, long>
{
    private long _length;

    public async ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken) =>
        _length = (await File.ReadAllBytesAsync(artifact.GetPath("weights.bin"), cancellationToken)).LongLength;

    public long Predict(string features) => _length;
}

/// <summary>One emulator's store kind, with every request to it counted.</summary>
internal sealed class Backend(string scheme, int port)
{
    private const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private long _requests;

    public string Scheme => scheme;

    public string Name => scheme == "s3" ? "S3 (s3rver 3.7.1)" : "Azure Blob (azurite 3.37.0)";

    public long Requests => Interlocked.Read(ref _requests);

    public IModelStore CreateStore(Uri location, string cache)
    {
        if (scheme == "s3")
        {
            var client = new AmazonS3Client(new BasicAWSCredentials("S3RVER", "S3RVER"), new AmazonS3Config
            {
                ServiceURL = $"http://127.0.0.1:{port}",
                ForcePathStyle = true,
                AuthenticationRegion = "us-east-1",
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            });
            client.BeforeRequestEvent += (_, _) => Interlocked.Increment(ref _requests);
            return new S3ModelStore(client, location, new S3ModelStoreOptions { CacheDirectory = cache }, null);
        }

        var options = new BlobClientOptions();
        options.AddPolicy(new CountingPolicy(this), HttpPipelinePosition.PerRetry);
        var blobs = new BlobServiceClient($"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;", options);
        return new AzureBlobModelStore(blobs, location, new AzureBlobModelStoreOptions { CacheDirectory = cache }, null);
    }

    public Task PublishAsync(IModelStore store, string model, string version, string folder, CancellationToken cancellationToken) =>
        store is S3ModelStore s3 ? s3.PublishAsync(model, version, folder, cancellationToken) : ((AzureBlobModelStore)store).PublishAsync(model, version, folder, cancellationToken);

    private sealed class CountingPolicy(Backend backend) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref backend._requests);
    }
}
