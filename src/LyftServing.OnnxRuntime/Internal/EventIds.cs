namespace LyftServing.OnnxRuntime.Internal;

/// <summary>The event ids of the onnx runtime's logs: 4000–4099, stable across releases (Core uses its own range).</summary>
internal static class EventIds
{
    public const int SessionCreated = 4001;
    public const int BatchRunsRowByRow = 4002;
}
