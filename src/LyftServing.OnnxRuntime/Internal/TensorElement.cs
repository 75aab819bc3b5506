using Microsoft.ML.OnnxRuntime;
using OrtElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace LyftServing.OnnxRuntime.Internal;

/// <summary>ONNX element types and their counterparts in the runtime kit and in .NET.</summary>
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

    public static TensorElementType? ToKit(Type type) =>
        type == typeof(float) ? TensorElementType.Float32
        : type == typeof(double) ? TensorElementType.Float64
        : type == typeof(int) ? TensorElementType.Int32
        : type == typeof(long) ? TensorElementType.Int64
        : type == typeof(bool) ? TensorElementType.Bool
        : null;

    /// <summary>The .NET type of a numeric or bool element type.</summary>
    public static Type ClrType(TensorElementType type) => type switch
    {
        TensorElementType.Float32 => typeof(float),
        TensorElementType.Float64 => typeof(double),
        TensorElementType.Int32 => typeof(int),
        TensorElementType.Int64 => typeof(long),
        _ => typeof(bool),
    };

    public static string Name(TensorElementType type) => type switch
    {
        TensorElementType.Float32 => "float32",
        TensorElementType.Float64 => "float64",
        TensorElementType.Int32 => "int32",
        TensorElementType.Int64 => "int64",
        TensorElementType.Bool => "bool",
        _ => "string",
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
