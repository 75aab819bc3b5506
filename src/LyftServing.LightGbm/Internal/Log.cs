using Microsoft.Extensions.Logging;

namespace LyftServing.LightGbm.Internal;

internal static partial class Log
{
    [LoggerMessage(EventId = EventIds.BoosterLoaded, EventName = nameof(EventIds.BoosterLoaded), Level = LogLevel.Information,
        Message = "Model '{ModelName}' version '{Version}': LightGBM booster ({Objective}, {Iterations} iterations), {Features} features in, {Outputs} scores out per row ({PredictionType}, {NumThreads} threads per batch)")]
    public static partial void BoosterLoaded(ILogger logger, string modelName, string version, string objective, int iterations, int features, int outputs, LightGbmPredictionType predictionType, int numThreads);
}
