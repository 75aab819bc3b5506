using Microsoft.Extensions.Logging;

namespace LyftServing.OnnxRuntime.Internal;

internal static partial class Log
{
    [LoggerMessage(EventId = EventIds.SessionCreated, EventName = nameof(EventIds.SessionCreated), Level = LogLevel.Information,
        Message = "Model '{ModelName}' version '{Version}': ONNX Runtime session on {ExecutionProvider} (intra-op threads {IntraOpThreads}, inter-op threads {InterOpThreads}, optimisation {OptimizationLevel}); inputs: {Inputs}; outputs: {Outputs}")]
    public static partial void SessionCreated(ILogger logger, string modelName, string version, string executionProvider, int intraOpThreads, int interOpThreads, OnnxGraphOptimizationLevel optimizationLevel, TensorList inputs, TensorList outputs);

    [LoggerMessage(EventId = EventIds.BatchRunsRowByRow, EventName = nameof(EventIds.BatchRunsRowByRow), Level = LogLevel.Debug,
        Message = "Model '{ModelName}' version '{Version}': a batch of {Rows} rows runs row by row: {Reason}")]
    public static partial void BatchRunsRowByRow(ILogger logger, string modelName, string version, int rows, string reason);
}

/// <summary>Formats a list of inputs or outputs for a log message only when the message is written.</summary>
internal readonly struct TensorList(IReadOnlyList<TensorSpec> tensors)
{
    public override string ToString() => string.Join(", ", tensors.Select(t => $"{t.Name} ({t})"));
}
