using Microsoft.Extensions.Logging;

namespace LyftServing.Internal;

/// <summary>The object stores' log events (ids 5001–5099, under the category of the store type: LyftServing.Stores.S3.S3ModelStore or LyftServing.Stores.AzureBlob.AzureBlobModelStore).</summary>
internal static partial class CacheLog
{
    [LoggerMessage(5001, LogLevel.Information, "Model '{ModelName}' version '{ModelVersion}': downloaded and verified {Files} files ({Bytes} bytes) from {Location}")]
    public static partial void Downloaded(ILogger logger, string modelName, string modelVersion, int files, long bytes, string location);

    [LoggerMessage(5002, LogLevel.Information, "Model '{ModelName}' version '{ModelVersion}': reusing the verified copy in the cache '{Directory}'")]
    public static partial void Reused(ILogger logger, string modelName, string modelVersion, string directory);

    [LoggerMessage(5003, LogLevel.Warning, "Model '{ModelName}' version '{ModelVersion}': the cached copy in '{Directory}' changed on disk; downloading it again")]
    public static partial void CachedCopyChanged(ILogger logger, string modelName, string modelVersion, string directory);

    [LoggerMessage(5004, LogLevel.Warning, "Reading {Location} failed (attempt {Attempt}); retrying: {Reason}")]
    public static partial void Retrying(ILogger logger, string location, int attempt, string reason);

    [LoggerMessage(5005, LogLevel.Information, "Model '{ModelName}' version '{ModelVersion}': evicted from the cache ({Bytes} bytes); this process no longer uses it")]
    public static partial void Evicted(ILogger logger, string modelName, string modelVersion, long bytes);

    [LoggerMessage(5006, LogLevel.Warning, "The model cache '{Directory}' holds {Bytes} bytes, over its limit of {Limit}, all in use; it shrinks when versions are retired")]
    public static partial void OverLimit(ILogger logger, string directory, long bytes, long limit);

    [LoggerMessage(5007, LogLevel.Information, "Published model '{ModelName}' version '{ModelVersion}' to {Location}: {Files} files, {ManifestFile} last")]
    public static partial void Published(ILogger logger, string modelName, string modelVersion, int files, string location, string manifestFile);
}
