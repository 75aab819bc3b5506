namespace LyftServing;

/// <summary>
/// Where model versions live and are discovered. The default store is a directory
/// <c>{root}/{model}/{version}/</c> (<see cref="FileSystemModelStore"/>); other stores (object
/// storage, an in-memory store for tests) implement this interface and hand out artifacts in a
/// local directory.
/// </summary>
/// <remarks>Implementations must be thread-safe. The host never disposes a store the user handed it.</remarks>
public interface IModelStore
{
    /// <summary>Lists the versions of a model, in no particular order.</summary>
    /// <param name="modelName">A valid model name.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The versions the store holds; names that are not valid version names may be included and are ignored by the host.</returns>
    /// <exception cref="ModelStoreException">The store or the model's folder cannot be read.</exception>
    ValueTask<IReadOnlyList<ModelVersionInfo>> ListVersionsAsync(string modelName, CancellationToken cancellationToken);

    /// <summary>Makes a version's files available locally and reads them into an artifact.</summary>
    /// <param name="modelName">A valid model name.</param>
    /// <param name="version">A valid version name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The artifact.</returns>
    /// <exception cref="ModelStoreException">The version does not exist or cannot be read.</exception>
    ValueTask<ModelArtifact> GetArtifactAsync(string modelName, string version, CancellationToken cancellationToken);
}
