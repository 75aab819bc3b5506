using System.Globalization;
using System.Text;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace LyftServing.OnnxRuntime.Internal;

/// <summary>The element types this adapter supports, their ONNX names, and shape and JSON path formatting.</summary>
internal static class TensorElement
{
    public static bool IsSupported(Type type) =>
        type == typeof(float) || type == typeof(double) || type == typeof(int) || type == typeof(long)
        || type == typeof(bool) || type == typeof(string);

    public static bool IsSupported(TensorElementType type) => ToType(type) is not null;

    public static Type? ToType(TensorElementType type) => type switch
    {
        TensorElementType.Float => typeof(float),
        TensorElementType.Double => typeof(double),
        TensorElementType.Int32 => typeof(int),
        TensorElementType.Int64 => typeof(long),
        TensorElementType.Bool => typeof(bool),
        TensorElementType.String => typeof(string),
        _ => null,
    };

    /// <summary>The ONNX name of a .NET element type: float32, float64, int32, int64, bool, string.</summary>
    public static string Name(Type type) =>
        type == typeof(float) ? "float32"
        : type == typeof(double) ? "float64"
        : type == typeof(int) ? "int32"
        : type == typeof(long) ? "int64"
        : type == typeof(bool) ? "bool"
        : type == typeof(string) ? "string"
        : type.Name;

    public static string Name(TensorElementType type) => type switch
    {
        TensorElementType.Float => "float32",
        TensorElementType.Double => "float64",
        TensorElementType.Int32 => "int32",
        TensorElementType.Int64 => "int64",
        TensorElementType.Bool => "bool",
        TensorElementType.String => "string",
        TensorElementType.Float16 => "float16",
        TensorElementType.BFloat16 => "bfloat16",
        _ => type.ToString().ToLowerInvariant(),
    };

    /// <summary>What the values of a type are, for messages: "numbers", "integers", "true/false values", "strings".</summary>
    public static string Kind(Type type) =>
        type == typeof(float) || type == typeof(double) ? "numbers"
        : type == typeof(int) || type == typeof(long) ? "integers"
        : type == typeof(bool) ? "true/false values"
        : "strings";

    public static string FormatShape(ReadOnlySpan<long> shape)
    {
        var builder = new StringBuilder("[");
        for (var i = 0; i < shape.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            builder.Append(shape[i].ToString(CultureInfo.InvariantCulture));
        }

        return builder.Append(']').ToString();
    }

    /// <summary>The JSON path of a named member: <c>$.x</c>, or <c>$['odd name']</c> when the name is not a plain identifier.</summary>
    public static string MemberPath(string parent, string name)
    {
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return $"{parent}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";
            }
        }

        return name.Length == 0 ? $"{parent}['']" : $"{parent}.{name}";
    }

    /// <summary>The JSON path of the element at a flat (row-major) index of a tensor.</summary>
    public static string ElementPath(string tensorPath, ReadOnlySpan<long> shape, long flatIndex)
    {
        if (shape.Length == 0)
        {
            return tensorPath;
        }

        Span<long> indices = stackalloc long[shape.Length];
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            var size = Math.Max(shape[d], 1);
            indices[d] = flatIndex % size;
            flatIndex /= size;
        }

        var builder = new StringBuilder(tensorPath);
        foreach (var index in indices)
        {
            builder.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
        }

        return builder.ToString();
    }
}
