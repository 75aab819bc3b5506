namespace LyftServing;

/// <summary>
/// Where model versions live, are discovered, and where operators' decisions about them are
/// recorded. The default store is a directory <c>{root}/{model}/{version}/</c>
/// (<see cref="FileSystemModelStore"/>); other stores (object storage with a local cache, an
/// in-memory store for tests) implement this interface and hand out artifacts in a local directory.
/// </summary>
/// <remarks>
/// <para>
/// Implementations must be thread-safe, and several processes (replicas of a service) may use the
/// same store at once. The host never disposes a store the user handed it.
/// </para>
/// <para>
/// Versions are immutable: once published, a version's files never change. The host polls
/// <see cref="ListVersionsAsync"/>, so listing must stay cheap however many files the versions
/// hold: a version's <see cref="ModelVersionInfo.ChangeStamp"/> comes from metadata the store
/// already has (a folder's timestamp, an object's ETag), never from reading its files.
/// </para>
/// <para>
/// Every replica reading a store follows the same operator decisions (pins, rollbacks, shadows):
/// the host keeps them in one small record per model, written with optimistic concurrency
/// (<see cref="TryWriteDecisionAsync"/>) and read again on every poll.
/// </para>
/// </remarks>
public interface IModelStore
{
    /// <summary>Lists the models the store holds (for discovery, <c>ModelServing:DiscoverModels</c>).</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The model names, in no particular order; names that are not valid model names may be included and are ignored by the host.</returns>
    /// <exception cref="ModelStoreException">The store cannot be read.</exception>
    ValueTask<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken);

    /// <summary>Lists the versions of a model, with a change stamp each, in no particular order.</summary>
    /// <param name="modelName">A valid model name.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The versions the store holds; names that are not valid version names may be included and are ignored by the host.</returns>
    /// <exception cref="ModelStoreException">The store or the model cannot be read.</exception>
    ValueTask<IReadOnlyList<ModelVersionInfo>> ListVersionsAsync(string modelName, CancellationToken cancellationToken);

    /// <summary>Makes a version's files available locally and reads them into an artifact.</summary>
    /// <param name="modelName">A valid model name.</param>
    /// <param name="version">A valid version name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The artifact.</returns>
    /// <exception cref="ModelStoreException">The version does not exist or cannot be read.</exception>
    ValueTask<ModelArtifact> GetArtifactAsync(string modelName, string version, CancellationToken cancellationToken);

    /// <summary>
    /// Tells the store that an artifact it handed out (<see cref="GetArtifactAsync"/>) is no longer
    /// used: the version failed to load, or it was retired and disposed. A store with a local cache
    /// may then evict the version's files; the default does nothing.
    /// </summary>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version.</param>
    /// <remarks>Called once for every artifact the host got, when it is done with it.</remarks>
    void ReleaseArtifact(string modelName, string version)
    {
    }

    /// <summary>Reads the model's operator decision record, as last written by <see cref="TryWriteDecisionAsync"/>.</summary>
    /// <param name="modelName">A valid model name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The record and its stamp, or <see langword="null"/> when none was ever written.</returns>
    /// <exception cref="ModelStoreException">The record exists but cannot be read.</exception>
    /// <remarks>The content is the host's (a small JSON document); a store keeps it as opaque bytes, outside the version listing.</remarks>
    ValueTask<StoredDecision?> ReadDecisionAsync(string modelName, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the model's operator decision record, unless another writer changed it since
    /// <paramref name="expectedStamp"/> was read (optimistic concurrency, like an HTTP <c>If-Match</c>).
    /// </summary>
    /// <param name="modelName">A valid model name.</param>
    /// <param name="content">The new record.</param>
    /// <param name="expectedStamp">The stamp of the record the change is based on, or <see langword="null"/> when there was none.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="true"/> when written; <see langword="false"/> when the stored record's stamp is no longer <paramref name="expectedStamp"/> (the host reads it again and retries).</returns>
    /// <exception cref="ModelStoreException">The record cannot be written (for example a read-only store); the operator's action fails and nothing changes.</exception>
    ValueTask<bool> TryWriteDecisionAsync(string modelName, ReadOnlyMemory<byte> content, string? expectedStamp, CancellationToken cancellationToken);
}
