namespace LyftServing.AspNetCore.Internal;

/// <summary>The stable event ids of the HTTP endpoints' log events (101 and up, apart from Core's); never renumber, only add.</summary>
internal static class EventIds
{
    public const int RequestRejected = 101;
    public const int ModelFailed = 102;
    public const int RequestAborted = 103;
    public const int OutputNotWritable = 104;
    public const int ModelUnavailable = 105;
    public const int OperationFailed = 106;
    public const int AdminAction = 107;
}
