using System.Globalization;
using System.Text;

namespace LyftServing.Internal;

/// <summary>Element types' kinds for messages; shapes and JSON paths for messages (names and .NET types: <see cref="TensorElementTypes"/>).</summary>
internal static class TensorElements
{
    public static bool IsNumber(TensorElementType type) => type <= TensorElementType.Int64;

    /// <summary>What the values of a type are, for messages: "numbers", "integers", "true/false values", "strings".</summary>
    public static string Kind(TensorElementType type) => type switch
    {
        TensorElementType.Float32 or TensorElementType.Float64 => "numbers",
        TensorElementType.Int32 or TensorElementType.Int64 => "integers",
        TensorElementType.Bool => "true/false values",
        _ => "strings",
    };

    public static string FormatShape(ReadOnlySpan<long> shape)
    {
        var builder = new StringBuilder("[");
        for (var i = 0; i < shape.Length; i++)
        {
            builder.Append(i > 0 ? "," : string.Empty).Append(shape[i].ToString(CultureInfo.InvariantCulture));
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

    /// <summary>The JSON path of an element given by its indices: <c>$.x[3][1]</c>.</summary>
    public static string IndexPath(string tensorPath, ReadOnlySpan<int> indices)
    {
        var builder = new StringBuilder(tensorPath);
        foreach (var index in indices)
        {
            builder.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
        }

        return builder.ToString();
    }

    /// <summary>The JSON path of the element at a flat (row-major) index of a tensor.</summary>
    public static string ElementPath(string tensorPath, ReadOnlySpan<long> shape, long flatIndex)
    {
        Span<int> indices = stackalloc int[shape.Length];
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            var size = Math.Max(shape[d], 1);
            indices[d] = (int)(flatIndex % size);
            flatIndex /= size;
        }

        return IndexPath(tensorPath, indices);
    }
}
