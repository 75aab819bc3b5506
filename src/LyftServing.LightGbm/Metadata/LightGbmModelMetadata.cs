namespace LyftServing.LightGbm;

/// <summary>
/// What a loaded LightGBM version reports about itself in the status view
/// (<c>ModelVersionStatus.Metadata</c>, <c>GET /models</c>): its objective, its size and what it predicts.
/// </summary>
public sealed class LightGbmModelMetadata
{
    /// <summary>Gets the objective the model was trained with, such as <c>binary</c> or <c>multiclass</c>; <see langword="null"/> when the file does not say.</summary>
    public string? Objective { get; init; }

    /// <summary>Gets the number of boosting iterations in the model file.</summary>
    public int Iterations { get; init; }

    /// <summary>Gets the number of classes (1 unless the objective is multiclass).</summary>
    public int Classes { get; init; }

    /// <summary>Gets what the version predicts for each row (<see cref="LightGbmModelSettings.PredictionType"/>).</summary>
    public LightGbmPredictionType PredictionType { get; init; }
}
