namespace LyftServing.Stores.AzureBlob;

/// <summary>
/// Settings of Azure Blob model stores (<c>ModelServing:StoreRoot</c> = <c>azblob://container/prefix</c>),
/// bound from <c>ModelServing:AzureBlob</c>. Give a <see cref="ConnectionString"/>, or a
/// <see cref="ServiceUri"/> with credentials from Azure's default chain (environment, workload
/// identity, managed identity, developer sign-ins).
/// </summary>
public sealed class AzureBlobModelStoreOptions
{
    /// <summary>Gets or sets the storage account's blob endpoint, such as <c>https://account.blob.core.windows.net</c>, used with <c>DefaultAzureCredential</c>.</summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>Gets or sets a storage connection string (with a key or SAS); when set, <see cref="ServiceUri"/> is not used.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Gets or sets the local directory versions are downloaded to; <see langword="null"/> (the default) uses one under the system's temporary folder, per store location. Give each process its own.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Gets or sets the size the cache is kept to, in bytes: versions no longer serving are evicted, least recently used first. Default: 10 GiB.</summary>
    public long CacheSizeLimit { get; set; } = 10L << 30;

    /// <summary>Gets or sets how long one request to the store may take. Default: 30 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
