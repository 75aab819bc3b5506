using System.ComponentModel.DataAnnotations;

namespace LyftServing.LightGbm;

/// <summary>
/// The LightGBM settings of one model: set in code with <c>ConfigureLightGbm</c>, per version in
/// <c>model.json</c>'s <c>properties</c>, and per model in configuration
/// (<c>ModelServing:Models:{model}:LightGbm</c>, which wins); unknown keys are rejected and the
/// values checked at start-up and at each load, with errors naming the key.
/// </summary>
/// <remarks>
/// Example: <c>"LightGbm": {"NumThreads": 2, "PredictionType": "RawScore", "NumIterations": 100}</c>.
/// The defaults suit a busy service: one thread per call (the service's own concurrency
/// parallelises calls) and the model's full output.
/// </remarks>
public sealed class LightGbmModelSettings
{
    /// <summary>The configuration key of these settings under a model's section: <c>LightGbm</c>.</summary>
    public const string SectionName = "LightGbm";

    /// <summary>
    /// Gets or sets the number of OpenMP threads LightGBM may use to score the rows of one batch
    /// (LightGBM's <c>num_threads</c>; one row always runs on the caller's thread). Default: 1.
    /// 0 lets OpenMP choose (one per core).
    /// </summary>
    /// <remarks>
    /// LightGBM keeps this in one process-wide variable that each batch call sets before it runs,
    /// so concurrent batches of models with different values may run with each other's thread
    /// count; their results are the same either way.
    /// </remarks>
    [Range(0, 1024, ErrorMessage = "must be from 0 (OpenMP chooses) to 1024")]
    public int NumThreads { get; set; } = 1;

    /// <summary>Gets or sets what the model predicts for each row. Default: <see cref="LightGbmPredictionType.Normal"/>.</summary>
    [EnumDataType(typeof(LightGbmPredictionType), ErrorMessage = "must be one of Normal, RawScore, LeafIndex, Contributions")]
    public LightGbmPredictionType PredictionType { get; set; } = LightGbmPredictionType.Normal;

    /// <summary>Gets or sets the first boosting iteration to use. Default: 0.</summary>
    [Range(0, int.MaxValue, ErrorMessage = "must not be negative")]
    public int StartIteration { get; set; }

    /// <summary>
    /// Gets or sets how many boosting iterations to use from <see cref="StartIteration"/>. Default:
    /// 0, every one.
    /// </summary>
    [Range(0, int.MaxValue, ErrorMessage = "must not be negative (0 uses every iteration)")]
    public int NumIterations { get; set; }
}
