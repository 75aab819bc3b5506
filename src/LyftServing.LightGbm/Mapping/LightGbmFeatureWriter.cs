namespace LyftServing.LightGbm;

/// <summary>Writes one row of a LightGBM model's features from typed features, in the model file's feature order.</summary>
/// <typeparam name="TFeatures">The features type.</typeparam>
/// <param name="features">The features of one call.</param>
/// <param name="row">The row: one value per feature of the model, in its order; values left unwritten are NaN, which LightGBM treats as missing.</param>
public delegate void LightGbmFeatureWriter<in TFeatures>(TFeatures features, Span<double> row);
