namespace LyftServing.OnnxRuntime;

/// <summary>Reads the typed output of one row from one ONNX output.</summary>
/// <typeparam name="T">The output's element type.</typeparam>
/// <typeparam name="TOutput">The model's output type.</typeparam>
/// <param name="values">The output's values for this row, in row-major order; valid only during the call (the buffer is reused).</param>
/// <returns>The output.</returns>
public delegate TOutput OnnxOutputReader<T, out TOutput>(ReadOnlySpan<T> values);
