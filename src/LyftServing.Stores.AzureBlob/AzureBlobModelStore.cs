using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using LyftServing.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LyftServing.Stores.AzureBlob;

/// <summary>
/// A model store in an Azure Blob Storage container: <c>azblob://container/prefix/{model}/{version}/{file}</c>.
/// A version exists once its <c>model.json</c> does (publishers write it last, as
/// <see cref="PublishAsync"/> does); its files are downloaded once into a verified local cache.
/// Operators' decisions are kept in <c>{model}/.lyftserving/decision.json</c>, written with
/// conditional requests (If-Match).
/// </summary>
/// <remarks>
/// <para>
/// Every download is verified before the version can load: against the SHA-256 of each file when
/// <c>model.json</c> lists them (<see cref="PublishAsync"/> writes the list), else against the
/// sizes and ETags of the listing. A partial or corrupted download never loads; a cut download is
/// retried. A restart reuses the verified cache without downloading again.
/// </para>
/// <para>
/// A poll costs one listing request per model (per 5,000 blobs) and one read of its decision
/// record. Thread-safe; one process per cache directory.
/// </para>
/// </remarks>
public sealed class AzureBlobModelStore : IModelStore
{
    private readonly ObjectModelStore _store;
    private readonly BlobContainerClient _container;

    /// <summary>Creates a store with a client of its own, configured by <paramref name="options"/>.</summary>
    /// <param name="location">The store's location, <c>azblob://container</c> or <c>azblob://container/prefix</c>.</param>
    /// <param name="options">The settings: a connection string, or a service URI with Azure's default credentials.</param>
    /// <param name="loggerFactory">Logs downloads, retries and evictions; <see langword="null"/> for none.</param>
    public AzureBlobModelStore(Uri location, AzureBlobModelStoreOptions options, ILoggerFactory? loggerFactory)
        : this(CreateClient(options), location, options, loggerFactory)
    {
    }

    /// <summary>Creates a store over a blob service client the caller configured.</summary>
    /// <param name="client">The blob service client.</param>
    /// <param name="location">The store's location, <c>azblob://container</c> or <c>azblob://container/prefix</c>.</param>
    /// <param name="options">The cache settings; the client settings in it are not used. <see langword="null"/> for the defaults.</param>
    /// <param name="loggerFactory">Logs downloads, retries and evictions; <see langword="null"/> for none.</param>
    public AzureBlobModelStore(BlobServiceClient client, Uri location, AzureBlobModelStoreOptions? options, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(client);
        options ??= new AzureBlobModelStoreOptions();
        var (container, prefix) = ObjectModelStore.ParseLocation(location, "azblob");
        Location = location;
        var name = $"azblob://{container}/{prefix}";
        CacheDirectory = options.CacheDirectory ?? ObjectModelStore.DefaultCacheDirectory(client.Uri + name);
        _container = client.GetBlobContainerClient(container);
        _store = new ObjectModelStore(
            new BlobObjectStorage(_container, name),
            prefix,
            CacheDirectory,
            options.CacheSizeLimit,
            (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<AzureBlobModelStore>());
    }

    /// <summary>Gets the store's location.</summary>
    public Uri Location { get; }

    /// <summary>Gets the local directory versions are downloaded to.</summary>
    public string CacheDirectory { get; }

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
    /// <remarks>Creates the container when it does not exist yet.</remarks>
    public async Task<ModelManifest> PublishAsync(string modelName, string version, string sourceDirectory, CancellationToken cancellationToken = default)
    {
        try
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException ex)
        {
            throw new ModelStoreException(modelName, version, $"The container of {Location} could not be created or read: {ex.Message}", ex);
        }

        return await _store.PublishAsync(modelName, version, sourceDirectory, cancellationToken).ConfigureAwait(false);
    }

    private static BlobServiceClient CreateClient(AzureBlobModelStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clientOptions = new BlobClientOptions { Retry = { MaxRetries = 2, NetworkTimeout = options.RequestTimeout, Mode = RetryMode.Exponential } };
        if (options.ConnectionString is { Length: > 0 } connectionString)
        {
            return new BlobServiceClient(connectionString, clientOptions);
        }

        return options.ServiceUri is { } serviceUri
            ? new BlobServiceClient(serviceUri, new DefaultAzureCredential(), clientOptions)
            : throw new InvalidOperationException("An Azure Blob model store needs ModelServing:AzureBlob:ConnectionString, or ModelServing:AzureBlob:ServiceUri with Azure credentials.");
    }
}
