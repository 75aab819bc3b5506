namespace LyftServing.OnnxRuntime;

/// <summary>
/// How a loaded ONNX version runs and where it came from: shown in the status view
/// (<c>ModelVersionStatus.Metadata</c>, <c>GET /models</c>), next to its inputs and outputs
/// (<c>ModelVersionStatus.Signature</c>).
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class OnnxModelMetadata
{
    /// <summary>Gets the execution provider the session runs on, such as <c>CPUExecutionProvider</c>.</summary>
    public required string ExecutionProvider { get; init; }

    /// <summary>Gets the name of the tool that produced the ONNX file (for example <c>pytorch</c>), if recorded.</summary>
    public string? ProducerName { get; init; }

    /// <summary>Gets the name of the ONNX graph, if recorded.</summary>
    public string? GraphName { get; init; }
}
