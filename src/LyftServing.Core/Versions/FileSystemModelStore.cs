using System.Globalization;
using System.Security.Cryptography;
using LyftServing.Internal;

namespace LyftServing;

/// <summary>
/// A model store in a directory: <c>{root}/{model}/{version}/</c>, one folder per version, and the
/// model's operator decision record in <c>{root}/{model}/.lyftserving/decision.json</c>.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe, and safe for several processes sharing the directory (for example replicas
/// mounting one volume): decision records are replaced under an exclusive lock file by writing a
/// temporary file and renaming it, so readers see the old record or the new one, never a mix.
/// </para>
/// <para>
/// Publish a version by writing it next to the store and renaming (moving) the folder into place,
/// so the host never sees a half-copied version; a plain copy also works because a version that
/// failed to load is retried when its folder changes. Entries whose names start with '.' (such as
/// <c>.staging-7</c> and <c>.lyftserving</c>) are not versions.
/// </para>
/// <para>
/// A version's change stamp is its folder's modification time (which moves when entries are
/// added, removed or renamed in it) and that of its <c>model.json</c>: listing costs one or two
/// file-system lookups per version, however many files the versions hold. A file rewritten in
/// place inside a version is caught by the content hash when the version is loaded again.
/// </para>
/// </remarks>
public sealed class FileSystemModelStore : IModelStore
{
    private const string StateFolder = ".lyftserving";
    private const string DecisionFile = "decision.json";
    private static readonly TimeSpan LockRetryDelay = TimeSpan.FromMilliseconds(10);

    /// <summary>Creates a store over a root directory.</summary>
    /// <param name="rootDirectory">The store's root; relative paths are resolved against the current directory.</param>
    public FileSystemModelStore(string rootDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootDirectory);
        RootDirectory = Path.GetFullPath(rootDirectory);
    }

    /// <summary>Gets the full path of the store's root directory.</summary>
    public string RootDirectory { get; }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken)
    {
        ThrowIfRootMissing(modelName: "");
        IReadOnlyList<string> models = [.. Directory.EnumerateDirectories(RootDirectory)
            .Select(d => Path.GetFileName(d))
            .Where(ModelNames.IsValid)];
        return ValueTask.FromResult(models);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ModelVersionInfo>> ListVersionsAsync(string modelName, CancellationToken cancellationToken)
    {
        ModelNames.ThrowIfInvalid(modelName);
        var modelDirectory = GetModelDirectory(modelName);
        var versions = new List<ModelVersionInfo>();
        foreach (var directory in new DirectoryInfo(modelDirectory).EnumerateDirectories())
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Hidden entries (".staging-7", ".lyftserving") are not versions; other names the host checks and reports.
            if (!directory.Name.StartsWith('.'))
            {
                versions.Add(new ModelVersionInfo(directory.Name, GetChangeStamp(directory)));
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
            throw new ModelStoreException(modelName, version, $"Model '{modelName}' has no version '{version}' in the model store '{RootDirectory}' (expected the folder '{directory}').");
        }

        try
        {
            return await ModelArtifact.FromDirectoryAsync(modelName, version, directory, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex is not FileNotFoundException)
        {
            throw new ModelStoreException(modelName, version, $"Model '{modelName}' version '{version}' could not be read from '{directory}': {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<StoredDecision?> ReadDecisionAsync(string modelName, CancellationToken cancellationToken)
    {
        ModelNames.ThrowIfInvalid(modelName);
        var path = Path.Combine(GetModelDirectory(modelName), StateFolder, DecisionFile);
        try
        {
            var content = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            return new StoredDecision(content, Stamp(content));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (IOException ex)
        {
            throw new ModelStoreException(modelName, null, $"Model '{modelName}': the decision record '{path}' could not be read: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryWriteDecisionAsync(string modelName, ReadOnlyMemory<byte> content, string? expectedStamp, CancellationToken cancellationToken)
    {
        ModelNames.ThrowIfInvalid(modelName);
        var folder = Path.Combine(GetModelDirectory(modelName), StateFolder);
        var path = Path.Combine(folder, DecisionFile);
        try
        {
            Directory.CreateDirectory(folder);
            using var exclusive = await LockAsync(Path.Combine(folder, "decision.lock"), cancellationToken).ConfigureAwait(false);
            string? current = null;
            if (File.Exists(path))
            {
                current = Stamp(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false));
            }

            if (current != expectedStamp)
            {
                return false;
            }

            // Write beside the record, then rename over it: readers never see half a record.
            var temporary = Path.Combine(folder, $".decision-{Guid.NewGuid():N}.tmp");
            await File.WriteAllBytesAsync(temporary, content, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelStoreException(modelName, null, $"Model '{modelName}': the decision record '{path}' could not be written: {ex.Message}", ex);
        }
    }

    private static async ValueTask<FileStream> LockAsync(string path, CancellationToken cancellationToken)
    {
        // An exclusive open is an advisory lock that other processes on the same volume respect too.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (attempt < 500)
            {
                await Task.Delay(LockRetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string Stamp(ReadOnlySpan<byte> content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content))[..32];

    private static string GetChangeStamp(DirectoryInfo directory)
    {
        var stamp = directory.LastWriteTimeUtc.Ticks.ToString("x", CultureInfo.InvariantCulture);
        var manifest = new FileInfo(Path.Combine(directory.FullName, ModelArtifact.ManifestFileName));
        return manifest.Exists
            ? string.Create(CultureInfo.InvariantCulture, $"{stamp}-{manifest.LastWriteTimeUtc.Ticks:x}-{manifest.Length:x}")
            : stamp;
    }

    private string GetModelDirectory(string modelName)
    {
        ThrowIfRootMissing(modelName);
        var modelDirectory = PathGuard.Combine(RootDirectory, modelName);
        return Directory.Exists(modelDirectory)
            ? modelDirectory
            : throw new ModelStoreException(modelName, null, $"Model '{modelName}' has no folder in the model store '{RootDirectory}' (expected '{modelDirectory}').");
    }

    private void ThrowIfRootMissing(string modelName)
    {
        if (!Directory.Exists(RootDirectory))
        {
            throw new ModelStoreException(modelName, null, $"The model store root '{RootDirectory}' does not exist.");
        }
    }
}
