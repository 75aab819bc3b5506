using Azure.Storage.Blobs;
using LyftServing.Internal;
using LyftServing.Tests.ObjectStores;
using Microsoft.Extensions.DependencyInjection;

namespace LyftServing.Stores.AzureBlob.Tests;

/// <summary>Azure Blob in azurite on loopback: the container <c>models</c>, azurite's development account.</summary>
public sealed class AzureBlobBackend : StoreBackend
{
    private const string Container = "models";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public override string Scheme => "azblob";

    public override Uri NewLocation() => new($"azblob://{Container}/test-{Guid.NewGuid():N}");

    internal static string ConnectionString(int port) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";

    internal static BlobServiceClient Client(int port) =>
        new(ConnectionString(port), new BlobClientOptions { Retry = { MaxRetries = 1, NetworkTimeout = TimeSpan.FromSeconds(10) } });

    internal override Emulator CreateEmulator() => Emulator.AzureBlob();

    internal override IModelStore CreateStore(Uri location, string cacheDirectory, long cacheSizeLimit = 1L << 30, int? port = null)
    {
        var client = Client(port ?? Emulator.Port);
        client.GetBlobContainerClient(Container).CreateIfNotExists();
        return new AzureBlobModelStore(client, location, new AzureBlobModelStoreOptions { CacheDirectory = cacheDirectory, CacheSizeLimit = cacheSizeLimit }, null);
    }

    internal override IObjectStorage CreateStorage(Uri location, int? port = null) =>
        new BlobObjectStorage(Client(port ?? Emulator.Port).GetBlobContainerClient(Container), location.ToString());

    internal override VersionCache CacheOf(IModelStore store) => ((AzureBlobModelStore)store).Cache;

    internal override IModelStore CreateStoreAsTheHostDoes(IServiceProvider services, Uri location) => AzureBlobModelServingBuilderExtensions.CreateStore(services, location);

    internal override Task<ModelManifest> PublishAsync(IModelStore store, string model, string version, string directory) =>
        ((AzureBlobModelStore)store).PublishAsync(model, version, directory);

    internal override void AddStoreKind(IModelServingBuilder builder) => builder.AddAzureBlobModelStore();

    internal override string[] PublishToolArguments() => ["--connection-string", ConnectionString(Emulator.Port)];

    internal override IReadOnlyDictionary<string, string?> Configuration(Uri location, string cacheDirectory) => new Dictionary<string, string?>
    {
        ["ModelServing:StoreRoot"] = location.ToString(),
        ["ModelServing:AzureBlob:ConnectionString"] = ConnectionString(Emulator.Port),
        ["ModelServing:AzureBlob:CacheDirectory"] = cacheDirectory,
    };
}

public sealed class AzureBlobModelStoreTests(AzureBlobBackend backend) : ObjectModelStoreTests<AzureBlobBackend>(backend);
