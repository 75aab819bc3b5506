using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace LyftServing.Internal;

/// <summary>
/// The verified local cache of an object store's versions: each version's files are downloaded
/// once, under a temporary name, verified, then renamed into place, so a partial or corrupted
/// download never loads. Bounded: versions the host released (failed or retired) are evicted,
/// least recently used first, when the cache grows past its limit. A restart reuses every verified
/// version whose <c>model.json</c> is unchanged in the store, without downloading its files again.
/// </summary>
/// <remarks>
/// <para>
/// Verification: when <c>model.json</c> lists the version's files (<see cref="ModelManifest.Files"/>,
/// as <c>lyftserving publish</c> writes it), exactly those files are downloaded and each must have
/// the listed size and SHA-256; otherwise every object under the version is downloaded and each
/// must have the size and ETag the listing gave. Downloads cut short are retried.
/// </para>
/// <para>
/// Layout: <c>{model}/{version}/</c> holds a version's files and <c>{model}/{version}.verified.json</c>
/// says it was verified (written last: a folder without it is deleted); <c>.partial/</c> holds
/// downloads in progress. One process owns a cache directory. Thread-safe.
/// </para>
/// </remarks>
internal sealed class VersionCache
{
    private const string PartialFolder = ".partial";
    private const string RecordSuffix = ".verified.json";
    private const int DownloadAttempts = 3;
    private static readonly JsonSerializerOptions RecordJson = new(JsonSerializerDefaults.Web);

    private readonly IObjectStorage _storage;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _versionLocks = new(StringComparer.Ordinal);
    private readonly Lazy<Task> _scanned;
    private long _clock;

    public VersionCache(IObjectStorage storage, string directory, long sizeLimit, ILogger logger)
    {
        _storage = storage;
        Directory = Path.GetFullPath(directory);
        SizeLimit = sizeLimit;
        _logger = logger;
        _scanned = new Lazy<Task>(() => Task.Run(Scan));
    }

    /// <summary>Gets the cache directory.</summary>
    public string Directory { get; }

    /// <summary>
    /// Gets or sets the clock of the delays between download attempts: the host's
    /// <see cref="System.TimeProvider"/> when the store comes from its registration
    /// (<c>AddS3ModelStore()</c>, <c>AddAzureBlobModelStore()</c>), else the system's.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets the size the cache is trimmed to, in bytes, by evicting released versions.</summary>
    public long SizeLimit { get; }

    /// <summary>Gets the bytes of the verified versions in the cache.</summary>
    public long Size
    {
        get
        {
            lock (_lock)
            {
                return _entries.Values.Sum(e => e.Bytes);
            }
        }
    }

    /// <summary>Gets how many files were downloaded (for tests and measurements).</summary>
    public int FilesDownloaded => Volatile.Read(ref _filesDownloaded);

    private int _filesDownloaded;

    /// <summary>
    /// Returns the version's artifact from the cache, downloading and verifying it first unless a
    /// verified copy of the same <c>model.json</c> is there. The host releases it with <see cref="Release"/>.
    /// </summary>
    /// <exception cref="ModelStoreException">The version has no <c>model.json</c> (not published, or still uploading), or the store could not be read.</exception>
    /// <exception cref="InvalidDataException">A file does not match what <c>model.json</c> or the listing says (it is not loaded), or <c>model.json</c> is not valid.</exception>
    public async Task<ModelArtifact> GetAsync(string model, string version, string versionPrefix, CancellationToken cancellationToken)
    {
        await _scanned.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        var key = Key(model, version);
        var gate = _versionLocks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var manifestKey = versionPrefix + ModelArtifact.ManifestFileName;
            var manifest = await WithRetriesAsync(ct => _storage.ReadAsync(manifestKey, ct), cancellationToken).ConfigureAwait(false)
                ?? throw new ModelStoreException(model, version, $"Model '{model}' version '{version}' has no {ModelArtifact.ManifestFileName} in {_storage.Location}: it is not published (publishers write {ModelArtifact.ManifestFileName} last), so it is not loaded.");

            // Either way the entry comes back in use (pinned under the lock), so no trim evicts it
            // between here and the host's load.
            var artifact = await TryReuseAsync(model, version, manifest.ETag, cancellationToken).ConfigureAwait(false)
                ?? await DownloadAsync(model, version, versionPrefix, manifest.Content, manifest.ETag, cancellationToken).ConfigureAwait(false);
            Trim();
            return artifact;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The host no longer uses one artifact of the version; once none is used, it may be evicted.</summary>
    public void Release(string model, string version)
    {
        Entry? entry;
        lock (_lock)
        {
            entry = _entries.GetValueOrDefault(Key(model, version));
        }

        if (entry is not null)
        {
            Unpin(entry);
        }

        Trim();
    }

    private void Unpin(Entry entry)
    {
        lock (_lock)
        {
            if (entry.InUse > 0)
            {
                entry.InUse--;
            }
        }
    }

    private async Task<ModelArtifact?> TryReuseAsync(string model, string version, string manifestETag, CancellationToken cancellationToken)
    {
        var key = Key(model, version);
        Entry? entry;
        lock (_lock)
        {
            entry = _entries.GetValueOrDefault(key);
            if (entry is not null)
            {
                entry.InUse++;
                entry.LastUsed = ++_clock;
            }
        }

        if (entry is null)
        {
            return null;
        }

        var reused = false;
        try
        {
            if (entry.Record.ManifestETag == manifestETag)
            {
                var artifact = await ModelArtifact.FromDirectoryAsync(model, version, VersionDirectory(model, version), cancellationToken).ConfigureAwait(false);
                if (artifact.ContentHash == entry.Record.ContentHash)
                {
                    CacheLog.Reused(_logger, model, version, Directory);
                    reused = true;
                    return artifact;
                }

                CacheLog.CachedCopyChanged(_logger, model, version, VersionDirectory(model, version));
            }
        }
        finally
        {
            if (!reused)
            {
                Unpin(entry);
            }
        }

        // Republished (a new model.json) or changed on disk: download it again.
        Evict(key, entry);
        return null;
    }

    private async Task<ModelArtifact> DownloadAsync(string model, string version, string versionPrefix, byte[] manifestBytes, string manifestETag, CancellationToken cancellationToken)
    {
        var manifest = ModelManifest.Parse(manifestBytes);
        List<Expected> files;
        if (manifest.Files is { } listed)
        {
            files = [.. listed.Select(f => new Expected(f.Path, versionPrefix + f.Path, f.Size, f.Sha256, ETag: null))];
        }
        else
        {
            var objects = await WithRetriesAsync(ct => _storage.ListAsync(versionPrefix, ct), cancellationToken).ConfigureAwait(false);
            files = [.. objects
                .Select(o => (Object: o, Path: o.Key[versionPrefix.Length..]))
                .Where(o => o.Path != ModelArtifact.ManifestFileName && !o.Path.EndsWith('/'))
                .Select(o => new Expected(o.Path, o.Object.Key, o.Object.Size, Sha256: null, o.Object.ETag))];
        }

        var partial = Path.Combine(Directory, PartialFolder, Guid.NewGuid().ToString("N"));
        try
        {
            System.IO.Directory.CreateDirectory(partial);
            await File.WriteAllBytesAsync(Path.Combine(partial, ModelArtifact.ManifestFileName), manifestBytes, cancellationToken).ConfigureAwait(false);
            long bytes = manifestBytes.Length;
            foreach (var file in files)
            {
                var target = Path.GetFullPath(Path.Combine(partial, file.Path));
                if (!target.StartsWith(partial + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"Model '{model}' version '{version}': the object '{file.Key}' in {_storage.Location} would be written outside the version's folder; the version is not loaded.");
                }

                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                await WithRetriesAsync(ct => DownloadFileAsync(model, version, file, target, ct), cancellationToken).ConfigureAwait(false);
                bytes += file.Size;
            }

            // Verified: rename into place, then write the record that says so.
            var final = VersionDirectory(model, version);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            DeleteDirectory(final);
            System.IO.Directory.Move(partial, final);
            var artifact = await ModelArtifact.FromDirectoryAsync(model, version, final, cancellationToken).ConfigureAwait(false);
            var record = new Record(manifestETag, artifact.ContentHash, bytes);
            var recordTemp = final + RecordSuffix + ".tmp";
            await File.WriteAllBytesAsync(recordTemp, JsonSerializer.SerializeToUtf8Bytes(record, RecordJson), cancellationToken).ConfigureAwait(false);
            File.Move(recordTemp, RecordPath(model, version), overwrite: true);
            lock (_lock)
            {
                _entries[Key(model, version)] = new Entry(model, version, record) { InUse = 1, LastUsed = ++_clock };
            }

            CacheLog.Downloaded(_logger, model, version, files.Count, bytes, _storage.Location);
            return artifact;
        }
        finally
        {
            DeleteDirectory(partial);
        }
    }

    private async Task<bool> DownloadFileAsync(string model, string version, Expected file, string target, CancellationToken cancellationToken)
    {
        using var sha = file.Sha256 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        StoredObject? downloaded;
        var stream = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            var destination = sha is null ? (Stream)stream : new HashingStream(stream, sha);
            downloaded = await _storage.DownloadAsync(file.Key, destination, cancellationToken).ConfigureAwait(false);
        }

        Interlocked.Increment(ref _filesDownloaded);
        var what = $"Model '{model}' version '{version}': the file '{file.Path}' from {_storage.Location}";
        if (downloaded is not { } got)
        {
            throw new InvalidDataException($"{what} is missing, though {(file.Sha256 is null ? "the listing" : ModelArtifact.ManifestFileName)} names it; the version is not loaded.");
        }

        var size = new FileInfo(target).Length;
        if (size != got.Size)
        {
            // A download that ended early without an error: retried like a cut connection.
            throw new ObjectStorageException($"{what} arrived with {size} bytes of {got.Size}.");
        }

        if (size != file.Size)
        {
            throw new InvalidDataException($"{what} does not match {(file.Sha256 is null ? "the listing" : ModelArtifact.ManifestFileName)}: it has {size} bytes, not {file.Size}. The version is not loaded.");
        }

        if (sha is not null && Convert.ToHexStringLower(sha.GetHashAndReset()) is var actual && actual != file.Sha256)
        {
            throw new InvalidDataException($"{what} does not match {ModelArtifact.ManifestFileName}: its SHA-256 is {actual}, not {file.Sha256}. The version is not loaded; publish it again as a new version.");
        }

        if (file.ETag is not null && got.ETag != file.ETag)
        {
            throw new InvalidDataException($"{what} changed while it was downloaded (ETag {got.ETag}, listed as {file.ETag}); versions are immutable. The version is not loaded.");
        }

        return true;
    }

    /// <summary>The wait after the failed attempt <paramref name="attempt"/> (1-based): 200 ms, then 400 ms.</summary>
    internal static TimeSpan RetryDelay(int attempt) => TimeSpan.FromMilliseconds(200 * attempt);

    /// <summary>Transport failures (a cut download, the store away for a moment) are retried a few times; anything else is not.</summary>
    private async Task<T> WithRetriesAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex) when (attempt < DownloadAttempts && !cancellationToken.IsCancellationRequested)
            {
                CacheLog.Retrying(_logger, _storage.Location, attempt, ex.Message);
                await Task.Delay(RetryDelay(attempt), TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Evicts released versions, least recently used first, until the cache fits its limit. A
    /// version being fetched at that moment (its gate taken) is left alone, so an eviction never
    /// deletes a download that is being renamed into place.
    /// </summary>
    private void Trim()
    {
        var busy = new HashSet<Entry>();
        while (true)
        {
            Entry? victim;
            lock (_lock)
            {
                if (_entries.Values.Sum(e => e.Bytes) <= SizeLimit)
                {
                    return;
                }

                victim = _entries.Values.Where(e => e.InUse == 0 && !busy.Contains(e)).MinBy(e => e.LastUsed);
                if (victim is null)
                {
                    CacheLog.OverLimit(_logger, Directory, _entries.Values.Sum(e => e.Bytes), SizeLimit);
                    return;
                }
            }

            var key = Key(victim.Model, victim.Version);
            var gate = _versionLocks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
            if (!gate.Wait(0))
            {
                busy.Add(victim);
                continue;
            }

            try
            {
                lock (_lock)
                {
                    if (victim.InUse > 0)
                    {
                        busy.Add(victim);
                        continue;
                    }
                }

                Evict(key, victim);
                CacheLog.Evicted(_logger, victim.Model, victim.Version, victim.Bytes);
            }
            finally
            {
                gate.Release();
            }
        }
    }

    private void Evict(string key, Entry entry)
    {
        lock (_lock)
        {
            if (_entries.GetValueOrDefault(key) == entry)
            {
                _entries.Remove(key);
            }
        }

        // The record first: without it the folder is no longer a verified version.
        File.Delete(RecordPath(entry.Model, entry.Version));
        DeleteDirectory(VersionDirectory(entry.Model, entry.Version));
    }

    /// <summary>At first use: drops downloads a previous process left unfinished and versions never verified; remembers the verified ones.</summary>
    private void Scan()
    {
        System.IO.Directory.CreateDirectory(Directory);
        DeleteDirectory(Path.Combine(Directory, PartialFolder));
        foreach (var modelDirectory in System.IO.Directory.EnumerateDirectories(Directory))
        {
            var model = Path.GetFileName(modelDirectory);
            if (!ModelNames.IsValid(model))
            {
                continue;
            }

            foreach (var recordPath in System.IO.Directory.EnumerateFiles(modelDirectory, "*" + RecordSuffix))
            {
                var version = Path.GetFileName(recordPath)[..^RecordSuffix.Length];
                Record? record = null;
                try
                {
                    record = JsonSerializer.Deserialize<Record>(File.ReadAllBytes(recordPath), RecordJson);
                }
                catch (JsonException)
                {
                }

                if (ModelNames.IsValid(version) && record is not null && System.IO.Directory.Exists(VersionDirectory(model, version)))
                {
                    _entries[Key(model, version)] = new Entry(model, version, record) { LastUsed = ++_clock };
                }
                else
                {
                    File.Delete(recordPath);
                }
            }

            foreach (var versionDirectory in System.IO.Directory.EnumerateDirectories(modelDirectory))
            {
                if (!_entries.ContainsKey(Key(model, Path.GetFileName(versionDirectory))))
                {
                    DeleteDirectory(versionDirectory);
                }
            }
        }

        Trim();
    }

    private string VersionDirectory(string model, string version) => Path.Combine(Directory, model, version);

    private string RecordPath(string model, string version) => VersionDirectory(model, version) + RecordSuffix;

    private static string Key(string model, string version) => model + "/" + version;

    private static void DeleteDirectory(string path)
    {
        if (System.IO.Directory.Exists(path))
        {
            System.IO.Directory.Delete(path, recursive: true);
        }
    }

    /// <summary>A file to download and what it must be.</summary>
    private sealed record Expected(string Path, string Key, long Size, string? Sha256, string? ETag);

    /// <summary>What <c>{version}.verified.json</c> records: which <c>model.json</c> was verified, and the content it gave.</summary>
    internal sealed record Record(string ManifestETag, string ContentHash, long Bytes);

    private sealed class Entry(string model, string version, Record record)
    {
        public string Model { get; } = model;

        public string Version { get; } = version;

        public Record Record { get; } = record;

        public long Bytes => Record.Bytes;

        public int InUse { get; set; }

        public long LastUsed { get; set; }
    }

    /// <summary>Hashes what is written through it.</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash hash) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            hash.AppendData(buffer, offset, count);
            inner.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            hash.AppendData(buffer.Span);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
