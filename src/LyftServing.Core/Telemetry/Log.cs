using Microsoft.Extensions.Logging;

namespace LyftServing.Internal;

internal static partial class Log
{
    [LoggerMessage(EventIds.VersionLoading, LogLevel.Information, "Loading model '{ModelName}' version '{ModelVersion}'")]
    public static partial void VersionLoading(ILogger logger, string modelName, string modelVersion);

    [LoggerMessage(EventIds.VersionLoaded, LogLevel.Information, "Loaded model '{ModelName}' version '{ModelVersion}' ({ContentHash}) in {DurationMs:F1} ms")]
    public static partial void VersionLoaded(ILogger logger, string modelName, string modelVersion, string contentHash, double durationMs);

    [LoggerMessage(EventIds.VersionLoadFailed, LogLevel.Error, "Model '{ModelName}' version '{ModelVersion}' failed to load; it will not serve: {Reason}")]
    public static partial void VersionLoadFailed(ILogger logger, string modelName, string modelVersion, string reason, Exception exception);

    [LoggerMessage(EventIds.VersionPromoted, LogLevel.Information, "Model '{ModelName}' now serves version '{ModelVersion}' (previous: '{PreviousVersion}')")]
    public static partial void VersionPromoted(ILogger logger, string modelName, string modelVersion, string? previousVersion);

    [LoggerMessage(EventIds.VersionRetired, LogLevel.Information, "Model '{ModelName}' version '{ModelVersion}' drained and disposed")]
    public static partial void VersionRetired(ILogger logger, string modelName, string modelVersion);

    [LoggerMessage(EventIds.VersionDrainTimedOut, LogLevel.Warning, "Model '{ModelName}' version '{ModelVersion}' still has {InFlight} calls in flight after the drain timeout of {DrainTimeout}; it is disposed only when they end")]
    public static partial void VersionDrainTimedOut(ILogger logger, string modelName, string modelVersion, int inFlight, TimeSpan drainTimeout);

    [LoggerMessage(EventIds.VersionDisposeFailed, LogLevel.Warning, "Disposing model '{ModelName}' version '{ModelVersion}' threw")]
    public static partial void VersionDisposeFailed(ILogger logger, string modelName, string modelVersion, Exception exception);

    [LoggerMessage(EventIds.SelfTestsPassed, LogLevel.Information, "Model '{ModelName}' version '{ModelVersion}' passed {Passed} self-test cases")]
    public static partial void SelfTestsPassed(ILogger logger, string modelName, string modelVersion, int passed);

    [LoggerMessage(EventIds.SelfTestsFailed, LogLevel.Warning, "Model '{ModelName}' version '{ModelVersion}' failed {Failed} of {Total} self-test cases; first: {FirstFailure}")]
    public static partial void SelfTestsFailed(ILogger logger, string modelName, string modelVersion, int failed, int total, string firstFailure);

    [LoggerMessage(EventIds.StoreListFailed, LogLevel.Error, "Model '{ModelName}' could not list its versions: {Reason}")]
    public static partial void StoreListFailed(ILogger logger, string modelName, string reason, Exception exception);

    [LoggerMessage(EventIds.NoVersionToServe, LogLevel.Error, "Model '{ModelName}': {Reason}")]
    public static partial void NoVersionToServe(ILogger logger, string modelName, string reason);

    [LoggerMessage(EventIds.StoreReachable, LogLevel.Information, "Model '{ModelName}': its store answers again after {Unreachable}; polling resumes at its interval")]
    public static partial void StoreReachable(ILogger logger, string modelName, TimeSpan unreachable);

    [LoggerMessage(EventIds.PollFailed, LogLevel.Warning, "Model '{ModelName}': checking the store for new versions failed; the current version keeps serving")]
    public static partial void PollFailed(ILogger logger, string modelName, Exception exception);

    [LoggerMessage(EventIds.FailedVersionSkipped, LogLevel.Debug, "Model '{ModelName}' version '{ModelVersion}' failed before and has not changed since; not retrying")]
    public static partial void FailedVersionSkipped(ILogger logger, string modelName, string modelVersion);

    [LoggerMessage(EventIds.ModelStartFailed, LogLevel.Error, "Model '{ModelName}' is optional and could not start; the service starts without it: {Reason}")]
    public static partial void ModelStartFailed(ILogger logger, string modelName, string reason);

    [LoggerMessage(EventIds.ModelDiscovered, LogLevel.Information, "Discovered model '{ModelName}' (runtime '{Runtime}') in the store '{StoreRoot}'")]
    public static partial void ModelDiscovered(ILogger logger, string modelName, string runtime, string storeRoot);

    [LoggerMessage(EventIds.ModelNotDiscovered, LogLevel.Warning, "Not serving the store folder '{ModelName}': {Reason}")]
    public static partial void ModelNotDiscovered(ILogger logger, string modelName, string reason);

    [LoggerMessage(EventIds.InvalidVersionNameSkipped, LogLevel.Warning, "Model '{ModelName}': ignoring the store entry '{Entry}', which is not a valid version name ({Pattern})")]
    public static partial void InvalidVersionNameSkipped(ILogger logger, string modelName, string entry, string pattern);

    [LoggerMessage(EventIds.HostStopping, LogLevel.Information, "Stopping model '{ModelName}': draining and disposing {Count} loaded versions")]
    public static partial void HostStopping(ILogger logger, string modelName, int count);

    [LoggerMessage(EventIds.PredictionSinkFailed, LogLevel.Error, "The prediction sink {Sink} failed to write a batch; those records are lost")]
    public static partial void PredictionSinkFailed(ILogger logger, string sink, Exception exception);

    [LoggerMessage(EventIds.ShadowMismatch, LogLevel.Information, "Model '{ModelName}': shadow version '{ShadowVersion}' disagreed with primary version '{PrimaryVersion}': {Difference}")]
    public static partial void ShadowMismatch(ILogger logger, string modelName, string shadowVersion, string primaryVersion, string difference);

    [LoggerMessage(EventIds.ShadowFailed, LogLevel.Debug, "Model '{ModelName}': shadow version '{ShadowVersion}' threw; the caller was not affected")]
    public static partial void ShadowFailed(ILogger logger, string modelName, string shadowVersion, Exception exception);

    [LoggerMessage(EventIds.ShadowLoaded, LogLevel.Information, "Model '{ModelName}': version '{ShadowVersion}' now shadows the primary, sampling {SampleRate:P0} of its calls")]
    public static partial void ShadowLoaded(ILogger logger, string modelName, string shadowVersion, double sampleRate);

    [LoggerMessage(EventIds.VersionContentChanged, LogLevel.Error, "Model '{ModelName}' version '{ModelVersion}' changed after it was first loaded (content hash {ExpectedHash}, now {ActualHash}); accepted by an operator's request: {Accepted}")]
    public static partial void VersionContentChanged(ILogger logger, string modelName, string modelVersion, string expectedHash, string actualHash, bool accepted);

    [LoggerMessage(EventIds.StartedOnFallback, LogLevel.Warning, "Model '{ModelName}' serves version '{ModelVersion}': {Skipped} preferred versions could not serve (see their load failures)")]
    public static partial void StartedOnFallback(ILogger logger, string modelName, string modelVersion, int skipped);

    [LoggerMessage(EventIds.VersionLeftInUse, LogLevel.Error, "Shutdown ran out of time while model '{ModelName}' version '{ModelVersion}' still had {InFlight} calls in flight; it is left undisposed rather than disposed under them")]
    public static partial void VersionLeftInUse(ILogger logger, string modelName, string modelVersion, int inFlight);

    [LoggerMessage(EventIds.DecisionNotRecorded, LogLevel.Warning, "Model '{ModelName}': its first primary could not be recorded in its store, so a restart may choose again: {Reason}")]
    public static partial void DecisionNotRecorded(ILogger logger, string modelName, string reason, Exception exception);

    [LoggerMessage(EventIds.DecisionUnreadable, LogLevel.Error, "Model '{ModelName}': the operator decision in its store could not be read; the last one read stays in force: {Reason}")]
    public static partial void DecisionUnreadable(ILogger logger, string modelName, string reason, Exception exception);

    [LoggerMessage(EventIds.ConfigurationRejected, LogLevel.Error, "A configuration change of model serving was rejected; the last valid options stay in force: {Reason}")]
    public static partial void ConfigurationRejected(ILogger logger, string reason);

    [LoggerMessage(EventIds.ConfigurationApplied, LogLevel.Information, "A configuration change of model serving was applied to the running models; changes that apply at the next start only: {RestartOnly}")]
    public static partial void ConfigurationApplied(ILogger logger, string restartOnly);

    [LoggerMessage(EventIds.BatchRunsRowByRow, LogLevel.Debug, "Model '{ModelName}' version '{Version}': a batch of {Rows} rows runs row by row: {Reason}")]
    public static partial void BatchRunsRowByRow(ILogger logger, string modelName, string version, int rows, string reason);
}
