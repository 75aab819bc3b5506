using LyftServing.Internal;

namespace LyftServing;

/// <summary>
/// A model store in a directory: <c>{root}/{model}/{version}/</c>, one folder per version.
/// </summary>
/// <remarks>
/// Thread-safe. Publish a version by writing it next to the store and renaming (moving) the folder
/// into place, so the host never sees a half-copied version; a plain copy also works because a
/// version that failed to load is retried when its files change.
/// </remarks>
public sealed class FileSystemModelStore : IModelStore
{
    /// <summary>Creates a store over a root directory.</summary>
    /// <param name="rootDirectory">The store's root; relative paths are resolved against the current directory.</param>
    public FileSystemModelStore(string rootDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootDirectory);
        RootDirectory = Path.GetFullPath(rootDirectory);
    }

    /// <summary>Gets the full path of the store's root directory.</summary>
    public string RootDirectory { get; }

    /// <summary>Lists the model folders in the store whose names are valid model names.</summary>
    /// <returns>The model names, in ordinal order.</returns>
    /// <exception cref="ModelStoreException">The root directory does not exist.</exception>
    public IReadOnlyList<string> ListModels()
    {
        ThrowIfRootMissing();
        return [.. Directory.EnumerateDirectories(RootDirectory)
            .Select(Path.GetFileName)
            .Where(ModelNames.IsValid)
            .Cast<string>()
            .Order(StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ModelVersionInfo>> ListVersionsAsync(string modelName, CancellationToken cancellationToken)
    {
        ModelNames.ThrowIfInvalid(modelName);
        var modelDirectory = GetModelDirectory(modelName);
        var versions = new List<ModelVersionInfo>();
        foreach (var directory in Directory.EnumerateDirectories(modelDirectory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Hidden entries (".staging-7") are work in progress; other names the host checks and reports.
            var name = Path.GetFileName(directory);
            if (!name.StartsWith('.'))
            {
                versions.Add(new ModelVersionInfo(name, GetLastModified(directory)));
            }
        }

        return ValueTask.FromResult<IReadOnlyList<ModelVersionInfo>>(versions);
    }

    /// <inheritdoc />
    public async ValueTask<ModelArtifact> GetArtifactAsync(string modelName, string version, CancellationToken cancellationToken)
    {
        ModelNames.ThrowIfInvalid(modelName);
        ModelNames.ThrowIfInvalid(version);
        var directory = PathGuard.Combine(GetModelDirectory(modelName), version);
        if (!Directory.Exists(directory))
        {
            throw new ModelStoreException($"Model '{modelName}' has no version '{version}' in the model store '{RootDirectory}' (expected the folder '{directory}').");
        }

        try
        {
            return await ModelArtifact.FromDirectoryAsync(modelName, version, directory, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex is not FileNotFoundException)
        {
            throw new ModelStoreException($"Model '{modelName}' version '{version}' could not be read from '{directory}': {ex.Message}", ex);
        }
    }

    private string GetModelDirectory(string modelName)
    {
        ThrowIfRootMissing();
        var modelDirectory = PathGuard.Combine(RootDirectory, modelName);
        return Directory.Exists(modelDirectory)
            ? modelDirectory
            : throw new ModelStoreException($"Model '{modelName}' has no folder in the model store '{RootDirectory}' (expected '{modelDirectory}').");
    }

    private void ThrowIfRootMissing()
    {
        if (!Directory.Exists(RootDirectory))
        {
            throw new ModelStoreException($"The model store root '{RootDirectory}' does not exist.");
        }
    }

    private static DateTimeOffset GetLastModified(string directory)
    {
        // The newest write among the folder and everything in it: a copy in progress keeps moving it.
        var newest = Directory.GetLastWriteTimeUtc(directory);
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            if (entry.LastWriteTimeUtc > newest)
            {
                newest = entry.LastWriteTimeUtc;
            }
        }

        return new DateTimeOffset(newest, TimeSpan.Zero);
    }
}
