namespace LyftServing;

/// <summary>One self-test case: features, the expected output and the tolerance allowed for numbers.</summary>
/// <typeparam name="TFeatures">The features type of the model.</typeparam>
/// <typeparam name="TOutput">The output type of the model.</typeparam>
/// <param name="Features">The features passed to <c>Predict</c>.</param>
/// <param name="Expected">The output the version must produce.</param>
/// <param name="Tolerance">
/// The largest difference allowed between any expected and actual number (absolute, or relative
/// to the expected value when that is larger); <see langword="null"/> uses the model's
/// <c>SelfTestTolerance</c>. Non-numeric values must be equal.
/// </param>
/// <param name="Name">A name shown in results and logs; defaults to the case's position.</param>
public sealed record ModelTestCase<TFeatures, TOutput>(
    TFeatures Features,
    TOutput Expected,
    double? Tolerance = null,
    string? Name = null);
