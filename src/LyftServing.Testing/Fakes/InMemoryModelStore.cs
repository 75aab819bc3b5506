using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace LyftServing.Testing;

/// <summary>
/// A model store for tests: versions are added in code, and each artifact is written to a fresh
/// temporary directory when the host loads it, so model code reads real files. Operator decisions
/// are kept in memory, so several hosts given the same store behave like replicas of one service.
/// </summary>
/// <remarks>Thread-safe. Dispose it to delete the temporary directories.</remarks>
public sealed class InMemoryModelStore : IModelStore, IDisposable
{
    private readonly ConcurrentDictionary<(string Model, string Version), StoredVersion> _versions = new();
    private readonly ConcurrentDictionary<string, StoredDecision> _decisions = new(StringComparer.Ordinal);
    private readonly Lock _decisionLock = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "lyftserving-tests", Guid.NewGuid().ToString("N"));
    private long _clock;
    private long _materialized;

    /// <summary>Gets or sets a callback run before every listing (for example to throw, simulating an unreachable store).</summary>
    public Action<string>? OnListVersions { get; set; }

    /// <summary>Gets or sets a callback run before every artifact is read (for example to block or throw).</summary>
    public Func<string, string, CancellationToken, ValueTask>? OnGetArtifact { get; set; }

    /// <summary>Adds or replaces a version with text files. Replacing a version changes its content: a host that loaded it before refuses the new content.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version.</param>
    /// <param name="files">Relative path → UTF-8 content; may be empty.</param>
    public void AddVersion(string modelName, string version, IReadOnlyDictionary<string, string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        AddVersion(modelName, version, files.ToDictionary(f => f.Key, f => Encoding.UTF8.GetBytes(f.Value)));
    }

    /// <summary>Adds or replaces a version with binary files.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version.</param>
    /// <param name="files">Relative path → content.</param>
    public void AddVersion(string modelName, string version, IReadOnlyDictionary<string, byte[]> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (!ModelNames.IsValid(modelName))
        {
            throw new ArgumentException($"'{modelName}' is not a valid model name.", nameof(modelName));
        }

        ArgumentException.ThrowIfNullOrEmpty(version);
        var stamp = Interlocked.Increment(ref _clock).ToString(CultureInfo.InvariantCulture);
        _versions[(modelName, version)] = new StoredVersion(new Dictionary<string, byte[]>(files), stamp);
    }

    /// <summary>Removes a version.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version.</param>
    /// <returns>Whether the version existed.</returns>
    public bool RemoveVersion(string modelName, string version) => _versions.TryRemove((modelName, version), out _);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>([.. _versions.Keys.Select(k => k.Model).Distinct(StringComparer.Ordinal)]);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ModelVersionInfo>> ListVersionsAsync(string modelName, CancellationToken cancellationToken)
    {
        OnListVersions?.Invoke(modelName);
        IReadOnlyList<ModelVersionInfo> versions = [.. _versions
            .Where(v => v.Key.Model == modelName)
            .Select(v => new ModelVersionInfo(v.Key.Version, v.Value.Stamp))];
        return versions.Count == 0
            ? throw new ModelStoreException(modelName, null, $"Model '{modelName}' has no versions in the in-memory store.")
            : ValueTask.FromResult(versions);
    }

    /// <inheritdoc />
    public async ValueTask<ModelArtifact> GetArtifactAsync(string modelName, string version, CancellationToken cancellationToken)
    {
        if (OnGetArtifact is { } hook)
        {
            await hook(modelName, version, cancellationToken).ConfigureAwait(false);
        }

        if (!_versions.TryGetValue((modelName, version), out var stored))
        {
            throw new ModelStoreException(modelName, version, $"Model '{modelName}' has no version '{version}' in the in-memory store.");
        }

        // A fresh directory per load: a version being disposed may still hold its files open.
        var directory = Path.Combine(_root, modelName, $"{version}-{Interlocked.Increment(ref _materialized)}");
        foreach (var (path, content) in stored.Files)
        {
            var full = Path.Combine(directory, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllBytesAsync(full, content, cancellationToken).ConfigureAwait(false);
        }

        Directory.CreateDirectory(directory);
        return await ModelArtifact.FromDirectoryAsync(modelName, version, directory, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<StoredDecision?> ReadDecisionAsync(string modelName, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_decisions.GetValueOrDefault(modelName));

    /// <inheritdoc />
    public ValueTask<bool> TryWriteDecisionAsync(string modelName, ReadOnlyMemory<byte> content, string? expectedStamp, CancellationToken cancellationToken)
    {
        lock (_decisionLock)
        {
            if (_decisions.GetValueOrDefault(modelName)?.Stamp != expectedStamp)
            {
                return ValueTask.FromResult(false);
            }

            _decisions[modelName] = new StoredDecision(content.ToArray(), Interlocked.Increment(ref _clock).ToString(CultureInfo.InvariantCulture));
            return ValueTask.FromResult(true);
        }
    }

    /// <summary>Deletes the temporary directories.</summary>
    public void Dispose()
    {
        try
        {
            if (Directory.Exists(_root))
            {
                Directory.Delete(_root, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a file may still be open on some platforms.
        }
    }

    private sealed record StoredVersion(Dictionary<string, byte[]> Files, string Stamp);
}
