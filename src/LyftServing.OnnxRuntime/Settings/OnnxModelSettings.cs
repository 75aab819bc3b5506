using System.ComponentModel.DataAnnotations;

namespace LyftServing.OnnxRuntime;

/// <summary>
/// The ONNX Runtime settings of one model: set in code with <c>ConfigureOnnx</c>, per version in
/// <c>model.json</c>'s <c>properties</c>, and per model in configuration
/// (<c>ModelServing:Models:{model}:Onnx</c>, which wins); unknown keys are rejected and the values
/// checked at start-up and at each load, with errors naming the key.
/// </summary>
/// <remarks>
/// Example: <c>"Onnx": {"IntraOpNumThreads": 2, "GraphOptimizationLevel": "Extended", "ExecutionProvider": "Cuda"}</c>.
/// The defaults suit small tabular models in a busy service: one thread per call (the service's
/// own concurrency parallelises calls) and every graph optimisation.
/// </remarks>
public sealed class OnnxModelSettings
{
    /// <summary>The configuration key of these settings under a model's section: <c>Onnx</c>.</summary>
    public const string SectionName = "Onnx";

    /// <summary>
    /// Gets or sets the number of threads one call may use inside an operator (ONNX Runtime's
    /// intra-op thread pool). Default: 1. 0 lets ONNX Runtime choose (one per physical core).
    /// </summary>
    [Range(0, 1024, ErrorMessage = "must be from 0 (ONNX Runtime chooses) to 1024")]
    public int IntraOpNumThreads { get; set; } = 1;

    /// <summary>
    /// Gets or sets the number of threads that run independent operators of one call in parallel
    /// (ONNX Runtime's inter-op thread pool, used only when the graph has parallel branches).
    /// Default: 1. 0 lets ONNX Runtime choose.
    /// </summary>
    [Range(0, 1024, ErrorMessage = "must be from 0 (ONNX Runtime chooses) to 1024")]
    public int InterOpNumThreads { get; set; } = 1;

    /// <summary>Gets or sets which graph optimisations ONNX Runtime applies when it loads a version. Default: <see cref="OnnxGraphOptimizationLevel.All"/>.</summary>
    [EnumDataType(typeof(OnnxGraphOptimizationLevel), ErrorMessage = "must be one of None, Basic, Extended, All")]
    public OnnxGraphOptimizationLevel GraphOptimizationLevel { get; set; } = OnnxGraphOptimizationLevel.All;

    /// <summary>
    /// Gets or sets the execution provider. Default: <see cref="OnnxExecutionProvider.Cpu"/>.
    /// <see cref="OnnxExecutionProvider.Cuda"/> needs an ONNX Runtime build with CUDA
    /// (<c>Microsoft.ML.OnnxRuntime.Gpu</c>); otherwise the version fails to load with an error that says so.
    /// </summary>
    [EnumDataType(typeof(OnnxExecutionProvider), ErrorMessage = "must be one of Cpu, Cuda")]
    public OnnxExecutionProvider ExecutionProvider { get; set; } = OnnxExecutionProvider.Cpu;

    /// <summary>Gets or sets the GPU to run on when <see cref="ExecutionProvider"/> is <see cref="OnnxExecutionProvider.Cuda"/>. Default: 0.</summary>
    [Range(0, int.MaxValue, ErrorMessage = "must not be negative")]
    public int DeviceId { get; set; }
}
