using Microsoft.ML.OnnxRuntime;
using OrtElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace LyftServing.OnnxRuntime.Internal;

/// <summary>ONNX element types and their counterparts in the runtime kit.</summary>
internal static class TensorElement
{
    public static TensorElementType? ToKit(OrtElementType type) => type switch
    {
        OrtElementType.Float => TensorElementType.Float32,
        OrtElementType.Double => TensorElementType.Float64,
        OrtElementType.Int32 => TensorElementType.Int32,
        OrtElementType.Int64 => TensorElementType.Int64,
        OrtElementType.Bool => TensorElementType.Bool,
        OrtElementType.String => TensorElementType.String,
        _ => null,
    };

    /// <summary>Describes an input or output of a session that the kit cannot represent, such as <c>float16[N,8]</c> or <c>Sequence</c>.</summary>
    public static string Describe(NodeMetadata node) =>
        node.IsTensor
            ? $"{node.ElementDataType.ToString().ToLowerInvariant()}[{string.Join(",", node.Dimensions.Select((d, i) => d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : node.SymbolicDimensions[i] is { Length: > 0 } s ? s : "?"))}]"
            : node.OnnxValueType.ToString();

    /// <summary>The kit's description of a session's input or output, or <see langword="null"/> when its type is not supported.</summary>
    public static TensorSpec? ToSpec(string name, NodeMetadata node) =>
        node.IsTensor && ToKit(node.ElementDataType) is { } type
            ? new TensorSpec(
                name,
                type,
                [.. node.Dimensions.Select(d => (long)d)],
                [.. node.SymbolicDimensions.Select((s, i) => node.Dimensions[i] < 0 && !string.IsNullOrEmpty(s) ? s : null)])
            : null;
}
