namespace LyftServing.OnnxRuntime;

/// <summary>Reads the typed output of one row from several ONNX outputs.</summary>
/// <typeparam name="TOutput">The model's output type.</typeparam>
/// <param name="outputs">The row's values of each mapped output; valid only during the call (the buffers are reused).</param>
/// <returns>The output.</returns>
public delegate TOutput OnnxOutputsReader<out TOutput>(OnnxOutputRow outputs);
