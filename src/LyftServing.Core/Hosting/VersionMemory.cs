namespace LyftServing.Internal;

/// <summary>
/// What a model's lifecycle remembers about versions between loads: which failed (and the store's
/// change stamp then, so an unchanged failed version is not retried), and the content hash each
/// had when first loaded (versions are immutable: different content later is refused).
/// </summary>
/// <remarks>Used under the lifecycle's control gate only; not thread-safe by itself.</remarks>
internal sealed class VersionMemory
{
    private readonly Dictionary<string, string?> _failedAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _hashes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);

    /// <summary>Whether an automatic load should skip the version: it failed and has not changed since, or its content changed in place.</summary>
    public bool IsBlocked(ModelVersionInfo version) =>
        _changed.Contains(version.Version)
        || (_failedAt.TryGetValue(version.Version, out var stamp) && stamp == version.ChangeStamp);

    public void Failed(string version, string? stamp) => _failedAt[version] = stamp;

    public void Succeeded(string version) => _failedAt.Remove(version);

    /// <summary>An operator asked for the version by name: its past failures no longer block it.</summary>
    public void Forgive(string version)
    {
        _failedAt.Remove(version);
        _changed.Remove(version);
    }

    /// <summary>The hash the version must have, when it was loaded before (or the operator's decision recorded one).</summary>
    public string? ExpectedHash(string version) => _hashes.GetValueOrDefault(version);

    /// <summary>Remembers the content a version had when loaded; <paramref name="replace"/> when an operator accepted new content.</summary>
    public void Remember(string version, string hash, bool replace)
    {
        if (replace)
        {
            _hashes[version] = hash;
        }
        else
        {
            _hashes.TryAdd(version, hash);
        }
    }

    public void ChangedInPlace(string version) => _changed.Add(version);
}
