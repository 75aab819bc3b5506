using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using LyftServing.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LyftServing.Stores.S3;

/// <summary>
/// A model store in an S3 bucket: <c>s3://bucket/prefix/{model}/{version}/{file}</c>. A version
/// exists once its <c>model.json</c> does (publishers write it last, as <see cref="PublishAsync"/>
/// does); its files are downloaded once into a verified local cache. Operators' decisions are kept
/// in <c>{model}/.lyftserving/decision.json</c>, written with S3's conditional writes.
/// </summary>
/// <remarks>
/// <para>
/// Every download is verified before the version can load: against the SHA-256 of each file when
/// <c>model.json</c> lists them (<see cref="PublishAsync"/> writes the list), else against the
/// sizes and ETags of the listing. A partial or corrupted download never loads; a cut download is
/// retried. A restart reuses the verified cache without downloading again.
/// </para>
/// <para>
/// A poll costs one listing request per model (per 1,000 objects) and one read of its decision
/// record. Thread-safe; one process per cache directory. Disposing the store disposes the S3
/// client it created, never one it was given.
/// </para>
/// </remarks>
public sealed class S3ModelStore : IModelStore, IDisposable
{
    private readonly ObjectModelStore _store;
    private readonly IAmazonS3? _ownedClient;

    /// <summary>Creates a store with an S3 client of its own, configured by <paramref name="options"/> and the SDK's default credentials.</summary>
    /// <param name="location">The store's location, <c>s3://bucket</c> or <c>s3://bucket/prefix</c>.</param>
    /// <param name="options">The settings.</param>
    /// <param name="loggerFactory">Logs downloads, retries and evictions; <see langword="null"/> for none.</param>
    public S3ModelStore(Uri location, S3ModelStoreOptions options, ILoggerFactory? loggerFactory)
        : this(CreateClient(options), location, options, loggerFactory)
    {
        _ownedClient = Client;
    }

    /// <summary>Creates a store over an S3 client the caller owns (and disposes).</summary>
    /// <param name="client">The S3 client.</param>
    /// <param name="location">The store's location, <c>s3://bucket</c> or <c>s3://bucket/prefix</c>.</param>
    /// <param name="options">The cache settings; the client settings in it are not used. <see langword="null"/> for the defaults.</param>
    /// <param name="loggerFactory">Logs downloads, retries and evictions; <see langword="null"/> for none.</param>
    public S3ModelStore(IAmazonS3 client, Uri location, S3ModelStoreOptions? options, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(client);
        options ??= new S3ModelStoreOptions();
        var (bucket, prefix) = ObjectModelStore.ParseLocation(location, "s3");
        Client = client;
        Location = location;
        var name = $"s3://{bucket}/{prefix}";
        CacheDirectory = options.CacheDirectory ?? ObjectModelStore.DefaultCacheDirectory(name);
        _store = new ObjectModelStore(
            new S3ObjectStorage(client, bucket, name),
            prefix,
            CacheDirectory,
            options.CacheSizeLimit,
            (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<S3ModelStore>());
    }

    /// <summary>Gets the store's location.</summary>
    public Uri Location { get; }

    /// <summary>Gets the local directory versions are downloaded to.</summary>
    public string CacheDirectory { get; }

    internal IAmazonS3 Client { get; }

    internal VersionCache Cache => _store.Cache;

    /// <summary>Gets the clock of the cache's retry delays; the registration sets the host's.</summary>
    internal TimeProvider TimeProvider
    {
        get => _store.Cache.TimeProvider;
        init => _store.Cache.TimeProvider = value;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken) => _store.ListModelsAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ModelVersionInfo>> ListVersionsAsync(string modelName, CancellationToken cancellationToken) => _store.ListVersionsAsync(modelName, cancellationToken);

    /// <inheritdoc />
    public ValueTask<ModelArtifact> GetArtifactAsync(string modelName, string version, CancellationToken cancellationToken) => _store.GetArtifactAsync(modelName, version, cancellationToken);

    /// <inheritdoc />
    public void ReleaseArtifact(string modelName, string version) => _store.ReleaseArtifact(modelName, version);

    /// <inheritdoc />
    public ValueTask<StoredDecision?> ReadDecisionAsync(string modelName, CancellationToken cancellationToken) => _store.ReadDecisionAsync(modelName, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> TryWriteDecisionAsync(string modelName, ReadOnlyMemory<byte> content, string? expectedStamp, CancellationToken cancellationToken) =>
        _store.TryWriteDecisionAsync(modelName, content, expectedStamp, cancellationToken);

    /// <summary>
    /// Publishes a version from a local folder: every file first, then <c>model.json</c> (the
    /// folder's own, with its runtime, description and properties, or an empty one) listing each
    /// file's path, size and SHA-256. Replicas see the version only once <c>model.json</c> is there,
    /// and verify every file they download against it.
    /// </summary>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The new version.</param>
    /// <param name="sourceDirectory">The folder with the version's files.</param>
    /// <param name="cancellationToken">Cancels the upload (the version stays unpublished).</param>
    /// <returns>The manifest written.</returns>
    /// <exception cref="InvalidOperationException">The version is already published (versions are immutable).</exception>
    public Task<ModelManifest> PublishAsync(string modelName, string version, string sourceDirectory, CancellationToken cancellationToken = default) =>
        _store.PublishAsync(modelName, version, sourceDirectory, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _ownedClient?.Dispose();

    private static AmazonS3Client CreateClient(S3ModelStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            Timeout = options.RequestTimeout,
            MaxErrorRetry = 2,
        };
        if (options.ServiceUrl is { } serviceUrl)
        {
            config.ServiceURL = serviceUrl.ToString();
            config.AuthenticationRegion = options.Region ?? "us-east-1";

            // S3-compatible stores may not know the SDK's default CRC checksums.
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }
        else if (options.Region is { } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        return new AmazonS3Client(config);
    }
}
