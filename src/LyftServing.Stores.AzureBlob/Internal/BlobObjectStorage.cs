using System.Net;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace LyftServing.Internal;

/// <summary>The object operations of the model store on an Azure Blob Storage container.</summary>
internal sealed class BlobObjectStorage(BlobContainerClient container, string location) : IObjectStorage
{
    public string Location { get; } = location;

    public Task<IReadOnlyList<StoredObject>> ListAsync(string prefix, CancellationToken cancellationToken) =>
        Call<IReadOnlyList<StoredObject>>(async () =>
        {
            var objects = new List<StoredObject>();
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
            {
                objects.Add(new StoredObject(blob.Name, blob.Properties.ContentLength ?? 0, blob.Properties.ETag?.ToString() ?? ""));
            }

            return objects;
        });

    public async Task<StoredObject?> DownloadAsync(string key, Stream destination, CancellationToken cancellationToken)
    {
        try
        {
            var response = await Call(() => container.GetBlobClient(key).DownloadStreamingAsync(cancellationToken: cancellationToken)).ConfigureAwait(false);
            using var download = response.Value;
            await download.Content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
            return new StoredObject(key, download.Details.ContentLength, download.Details.ETag.ToString());
        }
        catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException and not ObjectStorageException or HttpRequestException or AggregateException && !cancellationToken.IsCancellationRequested)
        {
            // The connection was cut while the blob's body was read (the SDK resumes a few times, then gives up with every failure in an AggregateException).
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
        var conditions = ifMatch is null ? new BlobRequestConditions { IfNoneMatch = ETag.All } : new BlobRequestConditions { IfMatch = new ETag(ifMatch) };
        try
        {
            await Call(() => container.GetBlobClient(key).UploadAsync(new BinaryData(content), new BlobUploadOptions { Conditions = conditions }, cancellationToken)).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    public Task UploadAsync(string key, Stream content, CancellationToken cancellationToken) =>
        Call(() => container.GetBlobClient(key).UploadAsync(content, overwrite: true, cancellationToken));

    /// <summary>Transport failures and server errors become <see cref="ObjectStorageException"/> (retried, and the store reported stale); answers such as 404 stay as they are.</summary>
    private async Task<T> Call<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is (int)HttpStatusCode.NotFound or (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.Conflict)
        {
            throw;
        }
        catch (RequestFailedException ex)
        {
            throw new ObjectStorageException(ex.Status == 0 ? $"{Location} could not be reached: {ex.Message}" : $"{Location} answered {ex.Status} {ex.ErrorCode}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is AggregateException or HttpRequestException or IOException and not ObjectStorageException)
        {
            throw new ObjectStorageException($"{Location} could not be reached: {ex.Message}", ex);
        }
    }
}
