using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace LyftServing.Internal;

/// <summary>The object operations of the model store on an S3 bucket (AWS S3 or an S3-compatible store).</summary>
internal sealed class S3ObjectStorage(IAmazonS3 client, string bucket, string location) : IObjectStorage
{
    public string Location { get; } = location;

    public async Task<IReadOnlyList<StoredObject>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var objects = new List<StoredObject>();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        do
        {
            var response = await Call(() => client.ListObjectsV2Async(request, cancellationToken)).ConfigureAwait(false);
            objects.AddRange((response.S3Objects ?? []).Select(o => new StoredObject(o.Key, o.Size ?? 0, o.ETag)));
            request.ContinuationToken = response.IsTruncated == true ? response.NextContinuationToken : null;
        }
        while (request.ContinuationToken is not null);
        return objects;
    }

    public async Task<StoredObject?> DownloadAsync(string key, Stream destination, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Call(() => client.GetObjectAsync(bucket, key, cancellationToken)).ConfigureAwait(false);
            await response.ResponseStream.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
            return new StoredObject(key, response.ContentLength, response.ETag);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException and not ObjectStorageException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            // The connection was cut while the object's body was read.
            throw new ObjectStorageException($"downloading '{key}' from {Location} was cut short: {ex.Message}", ex);
        }
    }

    public async Task<(byte[] Content, string ETag)?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream();
        return await DownloadAsync(key, content, cancellationToken).ConfigureAwait(false) is { } read ? (content.ToArray(), read.ETag) : null;
    }

    public async Task<bool> TryWriteAsync(string key, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken)
    {
        // S3's conditional writes (If-Match, If-None-Match) make this atomic on AWS S3, MinIO and R2;
        // the ETag is also checked first, for S3-compatible stores that ignore those headers.
        var current = await HeadAsync(key, cancellationToken).ConfigureAwait(false);
        if (current != ifMatch)
        {
            return false;
        }

        var request = new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = new MemoryStream(content.ToArray()),
            ContentType = "application/json",
            UseChunkEncoding = false,
        };
        if (ifMatch is null)
        {
            request.IfNoneMatch = "*";
        }
        else
        {
            request.IfMatch = ifMatch;
        }

        try
        {
            await Call(() => client.PutObjectAsync(request, cancellationToken)).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    public async Task UploadAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        var request = new PutObjectRequest { BucketName = bucket, Key = key, InputStream = content, AutoCloseStream = false, UseChunkEncoding = false };
        await Call(() => client.PutObjectAsync(request, cancellationToken)).ConfigureAwait(false);
    }

    private async Task<string?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return (await Call(() => client.GetObjectMetadataAsync(bucket, key, cancellationToken)).ConfigureAwait(false)).ETag;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Transport failures and server errors become <see cref="ObjectStorageException"/> (retried, and the store reported stale); answers such as 404 stay S3 exceptions.</summary>
    private async Task<T> Call<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            throw;
        }
        catch (AmazonServiceException ex)
        {
            throw new ObjectStorageException($"{Location} answered {(int)ex.StatusCode} {ex.ErrorCode}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is AmazonClientException or HttpRequestException or IOException and not ObjectStorageException)
        {
            throw new ObjectStorageException($"{Location} could not be reached: {ex.Message}", ex);
        }
    }
}
