namespace LyftServing.OnnxRuntime;

/// <summary>Which graph optimisations ONNX Runtime applies when it loads a model (see ONNX Runtime's graph optimisation levels).</summary>
public enum OnnxGraphOptimizationLevel
{
    /// <summary>No optimisations.</summary>
    None,

    /// <summary>Semantics-preserving rewrites such as constant folding and redundant node elimination.</summary>
    Basic,

    /// <summary>Basic, plus node fusions.</summary>
    Extended,

    /// <summary>Every optimisation, including layout optimisations (the default).</summary>
    All,
}
