namespace LyftServing.OnnxRuntime;

/// <summary>
/// What a loaded ONNX version takes and returns, and how it runs: shown in the status view
/// (<c>ModelVersionStatus.Metadata</c>, <c>GET /models</c>).
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class OnnxModelMetadata
{
    /// <summary>Gets the model's inputs, in the model's order.</summary>
    public required IReadOnlyList<OnnxTensorMetadata> Inputs { get; init; }

    /// <summary>Gets the model's outputs, in the model's order.</summary>
    public required IReadOnlyList<OnnxTensorMetadata> Outputs { get; init; }

    /// <summary>Gets the execution provider the session runs on, such as <c>CPUExecutionProvider</c>.</summary>
    public required string ExecutionProvider { get; init; }

    /// <summary>Gets the name of the tool that produced the ONNX file (for example <c>pytorch</c>), if recorded.</summary>
    public string? ProducerName { get; init; }

    /// <summary>Gets the name of the ONNX graph, if recorded.</summary>
    public string? GraphName { get; init; }
}
