namespace LyftServing.LightGbm;

/// <summary>Builds the typed output of one row from a LightGBM model's scores.</summary>
/// <typeparam name="TOutput">The output type.</typeparam>
/// <param name="scores">The row's scores: one for a binary (probability) or regression model, one per class for multiclass; valid only during the call.</param>
/// <returns>The output.</returns>
public delegate TOutput LightGbmScoreReader<out TOutput>(ReadOnlySpan<double> scores);
