using Amazon.Runtime;
using Amazon.S3;
using LyftServing.Internal;
using LyftServing.Tests.ObjectStores;
using Microsoft.Extensions.DependencyInjection;

namespace LyftServing.Stores.S3.Tests;

/// <summary>S3 in s3rver on loopback: the bucket <c>models</c>, s3rver's fixed credentials.</summary>
public sealed class S3Backend : StoreBackend
{
    private const string Bucket = "models";

    public override string Scheme => "s3";

    public override Uri NewLocation() => new($"s3://{Bucket}/test-{Guid.NewGuid():N}");

    internal static AmazonS3Client Client(int port) => new(
        new BasicAWSCredentials("S3RVER", "S3RVER"),
        new AmazonS3Config
        {
            ServiceURL = $"http://127.0.0.1:{port}",
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 1,
            Timeout = TimeSpan.FromSeconds(10),
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

    internal override Emulator CreateEmulator() => Emulator.S3(Bucket);

    internal override IModelStore CreateStore(Uri location, string cacheDirectory, long cacheSizeLimit = 1L << 30, int? port = null) =>
        new S3ModelStore(Client(port ?? Emulator.Port), location, new S3ModelStoreOptions { CacheDirectory = cacheDirectory, CacheSizeLimit = cacheSizeLimit }, null);

    internal override IObjectStorage CreateStorage(Uri location, int? port = null) => new S3ObjectStorage(Client(port ?? Emulator.Port), Bucket, location.ToString());

    internal override VersionCache CacheOf(IModelStore store) => ((S3ModelStore)store).Cache;

    internal override IModelStore CreateStoreAsTheHostDoes(IServiceProvider services, Uri location) => S3ModelServingBuilderExtensions.CreateStore(services, location);

    internal override Task<ModelManifest> PublishAsync(IModelStore store, string model, string version, string directory) =>
        ((S3ModelStore)store).PublishAsync(model, version, directory);

    internal override void AddStoreKind(IModelServingBuilder builder) => builder.AddS3ModelStore();

    internal override string[] PublishToolArguments()
    {
        SetCredentials();
        return ["--endpoint", $"http://127.0.0.1:{Emulator.Port}"];
    }

    internal override IReadOnlyDictionary<string, string?> Configuration(Uri location, string cacheDirectory)
    {
        SetCredentials();
        return new Dictionary<string, string?>
        {
            ["ModelServing:StoreRoot"] = location.ToString(),
            ["ModelServing:S3:ServiceUrl"] = $"http://127.0.0.1:{Emulator.Port}",
            ["ModelServing:S3:ForcePathStyle"] = "true",
            ["ModelServing:S3:CacheDirectory"] = cacheDirectory,
        };
    }

    /// <summary>Credentials from the SDK's default chain, as in production: here, environment variables.</summary>
    private static void SetCredentials()
    {
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "S3RVER");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "S3RVER");
    }
}

public sealed class S3ModelStoreTests(S3Backend backend) : ObjectModelStoreTests<S3Backend>(backend);
