namespace LyftServing.Stores.S3;

/// <summary>
/// Settings of S3 model stores (<c>ModelServing:StoreRoot</c> = <c>s3://bucket/prefix</c>), bound
/// from <c>ModelServing:S3</c>. Credentials come from the AWS SDK's default chain: environment
/// variables (<c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>), shared profiles, container
/// and instance roles.
/// </summary>
public sealed class S3ModelStoreOptions
{
    /// <summary>Gets or sets the endpoint of an S3-compatible store (MinIO, Ceph, R2), such as <c>http://minio:9000</c>; <see langword="null"/> (the default) for AWS S3.</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>Gets or sets whether requests address the bucket in the path (<c>host/bucket/key</c>) rather than the host name; most S3-compatible stores need it. Default: <see langword="false"/>.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>Gets or sets the AWS region, such as <c>eu-west-1</c>; <see langword="null"/> (the default) uses the SDK's (<c>AWS_REGION</c>, the profile), and <c>us-east-1</c> for an S3-compatible <see cref="ServiceUrl"/>.</summary>
    public string? Region { get; set; }

    /// <summary>Gets or sets the local directory versions are downloaded to; <see langword="null"/> (the default) uses one under the system's temporary folder, per store location. Give each process its own.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Gets or sets the size the cache is kept to, in bytes: versions no longer serving are evicted, least recently used first. Default: 10 GiB.</summary>
    public long CacheSizeLimit { get; set; } = 10L << 30;

    /// <summary>Gets or sets how long one request to the store may take. Default: 30 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
