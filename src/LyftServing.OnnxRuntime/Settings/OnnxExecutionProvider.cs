namespace LyftServing.OnnxRuntime;

/// <summary>The hardware an ONNX model runs on.</summary>
public enum OnnxExecutionProvider
{
    /// <summary>The CPU (the default; always available).</summary>
    Cpu,

    /// <summary>An NVIDIA GPU through CUDA; needs an ONNX Runtime build with CUDA, such as <c>Microsoft.ML.OnnxRuntime.Gpu</c>.</summary>
    Cuda,
}
