namespace LyftServing.LightGbm;

/// <summary>What a LightGBM model predicts for each row (LightGBM's <c>predict_type</c>).</summary>
public enum LightGbmPredictionType
{
    /// <summary>The model's output after its objective's transform: a probability for <c>binary</c>, one per class for <c>multiclass</c>, the value for <c>regression</c>.</summary>
    Normal = 0,

    /// <summary>The raw score before the transform (log-odds for <c>binary</c>, one per class for <c>multiclass</c>).</summary>
    RawScore = 1,

    /// <summary>The index of the leaf each tree puts the row in: one value per tree.</summary>
    LeafIndex = 2,

    /// <summary>SHAP feature contributions: one per feature and one for the expected value (per class for <c>multiclass</c>).</summary>
    Contributions = 3,
}
