using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace LyftServing.Internal;

/// <summary>
/// A model store in an object store (S3, Azure Blob): <c>{prefix}{model}/{version}/{file}</c>, a
/// version visible once its <c>model.json</c> exists (publishers write it last), its files served
/// from a verified local cache, and the model's operator decision in <c>{prefix}{model}/.lyftserving/decision.json</c>,
/// written with the store's conditional writes. Shared by the S3 and Azure Blob packages.
/// </summary>
/// <remarks>
/// A poll costs one prefix listing per model (a page per 1,000 objects) and one conditional read
/// of its decision record; a version's change stamp is its <c>model.json</c>'s ETag, so listing
/// never reads a version's files. Thread-safe.
/// </remarks>
internal sealed class ObjectModelStore
{
    private const string DecisionKey = ".lyftserving/decision.json";
    private static readonly JsonSerializerOptions ManifestJson = new() { WriteIndented = true };

    private readonly IObjectStorage _storage;
    private readonly string _prefix;
    private readonly ILogger _logger;

    /// <param name="storage">The object store.</param>
    /// <param name="prefix">The key prefix of the model store: empty, or ending with '/'.</param>
    /// <param name="cacheDirectory">The local cache directory.</param>
    /// <param name="cacheSizeLimit">The cache's size limit in bytes.</param>
    /// <param name="logger">The logger.</param>
    public ObjectModelStore(IObjectStorage storage, string prefix, string cacheDirectory, long cacheSizeLimit, ILogger logger)
    {
        _storage = storage;
        _prefix = prefix;
        _logger = logger;
        Cache = new VersionCache(storage, cacheDirectory, cacheSizeLimit, logger);
    }

    public VersionCache Cache { get; }

    /// <summary>Splits <c>scheme://container/prefix</c> into the container and a key prefix that is empty or ends with '/'.</summary>
    public static (string Container, string Prefix) ParseLocation(Uri location, string expectedScheme)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (location.Scheme != expectedScheme || string.IsNullOrEmpty(location.Host))
        {
            throw new ArgumentException($"'{location}' is not a {expectedScheme}://container/prefix location.", nameof(location));
        }

        var prefix = Uri.UnescapeDataString(location.AbsolutePath).Trim('/');
        return (location.Host, prefix.Length == 0 ? "" : prefix + "/");
    }

    /// <summary>A cache directory of its own for a store location, under the system's temporary folder.</summary>
    public static string DefaultCacheDirectory(string location) =>
        Path.Combine(Path.GetTempPath(), "lyftserving-cache", Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(location)))[..16]);

    /// <remarks>
    /// One flat listing of the store (a request per 1,000 objects), not a delimited one: some
    /// S3-compatible stores list nested "folders" wrongly, and this runs once, at start-up discovery.
    /// </remarks>
    public async ValueTask<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken)
    {
        var objects = await Guard("", null, ct => _storage.ListAsync(_prefix, ct), cancellationToken).ConfigureAwait(false);
        return [.. objects
            .Select(o => o.Key.AsSpan(_prefix.Length) is var relative && relative.IndexOf('/') is > 0 and var slash ? relative[..slash].ToString() : null)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)];
    }

    public async ValueTask<IReadOnlyList<ModelVersionInfo>> ListVersionsAsync(string modelName, CancellationToken cancellationToken)
    {
        ModelNames.ThrowIfInvalid(modelName);
        var modelPrefix = ModelPrefix(modelName);
        var objects = await Guard(modelName, null, ct => _storage.ListAsync(modelPrefix, ct), cancellationToken).ConfigureAwait(false);

        // One listing of the model, however many files: a version counts once its model.json is there.
        var versions = new List<ModelVersionInfo>();
        foreach (var item in objects)
        {
            var relative = item.Key.AsSpan(modelPrefix.Length);
            var slash = relative.IndexOf('/');
            if (slash > 0 && relative[0] != '.' && relative[(slash + 1)..].SequenceEqual(ModelArtifact.ManifestFileName))
            {
                versions.Add(new ModelVersionInfo(relative[..slash].ToString(), item.ETag));
            }
        }

        return versions;
    }

    public async ValueTask<ModelArtifact> GetArtifactAsync(string modelName, string version, CancellationToken cancellationToken)
    {
        ModelNames.ThrowIfInvalid(modelName);
        ModelNames.ThrowIfInvalid(version);
        try
        {
            return await Cache.GetAsync(modelName, version, VersionPrefix(modelName, version), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new ModelStoreException(modelName, version, $"Model '{modelName}' version '{version}' could not be downloaded from {_storage.Location}: {ex.Message}", ex);
        }
    }

    public void ReleaseArtifact(string modelName, string version) => Cache.Release(modelName, version);

    public async ValueTask<StoredDecision?> ReadDecisionAsync(string modelName, CancellationToken cancellationToken)
    {
        ModelNames.ThrowIfInvalid(modelName);
        var read = await Guard(modelName, null, ct => _storage.ReadAsync(ModelPrefix(modelName) + DecisionKey, ct), cancellationToken).ConfigureAwait(false);
        return read is { } r ? new StoredDecision(r.Content, r.ETag) : null;
    }

    public async ValueTask<bool> TryWriteDecisionAsync(string modelName, ReadOnlyMemory<byte> content, string? expectedStamp, CancellationToken cancellationToken)
    {
        ModelNames.ThrowIfInvalid(modelName);
        return await Guard(modelName, null, ct => _storage.TryWriteAsync(ModelPrefix(modelName) + DecisionKey, content, expectedStamp, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Publishes a version from a local folder: every file first, then <c>model.json</c> (the
    /// folder's own, or an empty one) with the list of files, their sizes and SHA-256 hashes, so the
    /// version appears complete or not at all, and every replica verifies what it downloads.
    /// </summary>
    /// <returns>The manifest written.</returns>
    /// <exception cref="InvalidOperationException">The version is already published (versions are immutable).</exception>
    public async Task<ModelManifest> PublishAsync(string modelName, string version, string sourceDirectory, CancellationToken cancellationToken)
    {
        ModelNames.ThrowIfInvalid(modelName);
        ModelNames.ThrowIfInvalid(version);
        var source = Path.GetFullPath(sourceDirectory);
        if (!Directory.Exists(source))
        {
            throw new DirectoryNotFoundException($"The folder '{source}' to publish does not exist.");
        }

        var prefix = VersionPrefix(modelName, version);
        if (await _storage.ReadAsync(prefix + ModelArtifact.ManifestFileName, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new InvalidOperationException($"Model '{modelName}' version '{version}' is already published in {_storage.Location}; versions are immutable: publish a new version.");
        }

        var manifestPath = Path.Combine(source, ModelArtifact.ManifestFileName);
        var manifest = File.Exists(manifestPath)
            ? JsonNode.Parse(await File.ReadAllBytesAsync(manifestPath, cancellationToken).ConfigureAwait(false)) as JsonObject
                ?? throw new InvalidDataException($"'{manifestPath}' must hold a JSON object.")
            : [];
        var files = new JsonArray();
        foreach (var path in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(source, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(f => f != ModelArtifact.ManifestFileName)
            .Order(StringComparer.Ordinal))
        {
            var stream = new FileStream(Path.Combine(source, path), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (stream.ConfigureAwait(false))
            {
                var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
                stream.Position = 0;
                await _storage.UploadAsync(prefix + path, stream, cancellationToken).ConfigureAwait(false);
                files.Add(new JsonObject { ["path"] = path, ["size"] = stream.Length, ["sha256"] = sha256 });
            }
        }

        manifest["files"] = files;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ManifestJson);
        var parsed = ModelManifest.Parse(bytes);
        using (var content = new MemoryStream(bytes))
        {
            await _storage.UploadAsync(prefix + ModelArtifact.ManifestFileName, content, cancellationToken).ConfigureAwait(false);
        }

        CacheLog.Published(_logger, modelName, version, files.Count, _storage.Location, ModelArtifact.ManifestFileName);
        return parsed;
    }

    private string ModelPrefix(string modelName) => _prefix + modelName + "/";

    private string VersionPrefix(string modelName, string version) => ModelPrefix(modelName) + version + "/";

    /// <summary>Store failures as the host expects them: <see cref="ModelStoreException"/>, naming the store.</summary>
    private async Task<T> Guard<T>(string modelName, string? version, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new ModelStoreException(modelName, version, $"The model store {_storage.Location} could not be read{(modelName.Length > 0 ? $" for model '{modelName}'" : "")}: {ex.Message}", ex);
        }
    }
}
