namespace LyftServing.Internal;

/// <summary>
/// The few operations an object store (S3, Azure Blob) gives the model store: prefix listings,
/// downloads, small reads and conditional writes. Keys are full object keys (names).
/// </summary>
/// <remarks>
/// Transport failures (store unreachable, connection cut, throttled) throw <see cref="IOException"/>
/// (<see cref="ObjectStorageException"/>), so callers can retry them; a missing object is
/// <see langword="null"/> or <see langword="false"/>, never an exception. Thread-safe.
/// </remarks>
internal interface IObjectStorage
{
    /// <summary>Gets the store's location for messages, such as <c>s3://models/prod/</c>.</summary>
    string Location { get; }

    /// <summary>Lists every object whose key starts with <paramref name="prefix"/> (all pages).</summary>
    Task<IReadOnlyList<StoredObject>> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Copies an object into <paramref name="destination"/>; returns its size and ETag as the store sent them, or <see langword="null"/> when it does not exist.</summary>
    Task<StoredObject?> DownloadAsync(string key, Stream destination, CancellationToken cancellationToken);

    /// <summary>Reads a small object, or returns <see langword="null"/> when it does not exist.</summary>
    Task<(byte[] Content, string ETag)?> ReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Writes an object unless it changed: <paramref name="ifMatch"/> is the ETag it must still have,
    /// or <see langword="null"/> when it must not exist. Returns whether it was written.
    /// </summary>
    Task<bool> TryWriteAsync(string key, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>Uploads an object, replacing any.</summary>
    Task UploadAsync(string key, Stream content, CancellationToken cancellationToken);
}

/// <summary>An object as a listing or a download describes it.</summary>
internal readonly record struct StoredObject(string Key, long Size, string ETag);

/// <summary>An object store could not be reached or answered with an error; worth retrying.</summary>
internal sealed class ObjectStorageException(string message, Exception? innerException = null) : IOException(message, innerException);
