namespace LyftServing.Internal;

/// <summary>The stable event ids of LyftServing's log events; never renumber, only add.</summary>
internal static class EventIds
{
    public const int VersionLoading = 1;
    public const int VersionLoaded = 2;
    public const int VersionLoadFailed = 3;
    public const int VersionPromoted = 4;
    public const int VersionRetired = 5;
    public const int VersionDrainTimedOut = 6;
    public const int VersionDisposeFailed = 7;
    public const int SelfTestsPassed = 8;
    public const int SelfTestsFailed = 9;
    public const int StoreListFailed = 10;
    public const int PollFailed = 11;
    public const int FailedVersionSkipped = 12;
    public const int ModelStartFailed = 13;
    public const int ModelDiscovered = 14;
    public const int InvalidVersionNameSkipped = 15;
    public const int HostStopping = 16;
    public const int NoVersionToServe = 17;
    public const int ModelNotDiscovered = 18;
    public const int PredictionSinkFailed = 19;
    public const int ShadowMismatch = 20;
    public const int ShadowFailed = 21;
    public const int ShadowLoaded = 22;
    public const int VersionContentChanged = 23;
    public const int StartedOnFallback = 24;
    public const int VersionLeftInUse = 25;
    public const int DecisionNotRecorded = 26;
    public const int DecisionUnreadable = 27;
    public const int ConfigurationRejected = 28;
    public const int ConfigurationApplied = 29;

    // The runtime kit (tensor models): 50–59.
    public const int BatchRunsRowByRow = 50;

    // Stores: 60–69.
    public const int StoreReachable = 60;
}
