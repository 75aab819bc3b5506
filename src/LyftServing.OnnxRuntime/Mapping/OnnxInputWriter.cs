namespace LyftServing.OnnxRuntime;

/// <summary>Writes one row of an ONNX input from typed features.</summary>
/// <typeparam name="TFeatures">The model's features type.</typeparam>
/// <typeparam name="T">The input's element type.</typeparam>
/// <param name="features">The features of the call (or of one row of a batch).</param>
/// <param name="destination">
/// The input's values for this row, in row-major order, as long as one row of the input (the
/// product of its dimensions after the batch dimension). It is a reused, pinned buffer that still
/// holds the previous call's values: write every element.
/// </param>
public delegate void OnnxInputWriter<in TFeatures, T>(TFeatures features, Span<T> destination);
