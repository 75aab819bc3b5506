using Microsoft.Extensions.Logging;

namespace LyftServing.TorchSharp.Internal;

internal static partial class Log
{
    [LoggerMessage(EventId = EventIds.ScriptModuleLoaded, EventName = nameof(EventIds.ScriptModuleLoaded), Level = LogLevel.Information,
        Message = "Model '{ModelName}' version '{Version}': TorchScript module {File} on {Device} (intra-op threads {IntraOpThreads}); inputs: {Inputs}; outputs: {Outputs}")]
    public static partial void ScriptModuleLoaded(ILogger logger, string modelName, string version, string file, string device, int intraOpThreads, TensorList inputs, TensorList outputs);

    [LoggerMessage(EventId = EventIds.LoadCheckSkipped, EventName = nameof(EventIds.LoadCheckSkipped), Level = LogLevel.Warning,
        Message = "Model '{ModelName}' version '{Version}': input '{Input}' has no fixed shape after its batch dimension, so the load could not run the model to check the declared inputs' types and to learn the outputs' types and shapes; declare \"shape\" for every input in model.json to check them at load")]
    public static partial void LoadCheckSkipped(ILogger logger, string modelName, string version, string input);

    [LoggerMessage(EventId = EventIds.ModuleLoaded, EventName = nameof(EventIds.ModuleLoaded), Level = LogLevel.Information,
        Message = "Model '{ModelName}' version '{Version}': TorchSharp module {ModuleType} on {Device} (intra-op threads {IntraOpThreads})")]
    public static partial void ModuleLoaded(ILogger logger, string modelName, string version, string moduleType, string device, int intraOpThreads);
}

/// <summary>Formats inputs or outputs for a log message only when the message is written.</summary>
internal readonly struct TensorList(IReadOnlyList<TensorSpec> tensors)
{
    public override string ToString() => string.Join(", ", tensors.Select(t => $"{t.Name} ({t})"));
}
