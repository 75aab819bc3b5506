namespace LyftServing;

/// <summary>The .NET types and names of tensor element types, for runtimes that map them onto a framework's.</summary>
public static class TensorElementTypes
{
    /// <summary>Gets the element type of a .NET type.</summary>
    /// <param name="type"><see cref="float"/>, <see cref="double"/>, <see cref="int"/>, <see cref="long"/>, <see cref="bool"/> or <see cref="string"/>.</param>
    /// <returns>The element type, or <see langword="null"/> for any other type.</returns>
    public static TensorElementType? Of(Type type) =>
        type == typeof(float) ? TensorElementType.Float32
        : type == typeof(double) ? TensorElementType.Float64
        : type == typeof(int) ? TensorElementType.Int32
        : type == typeof(long) ? TensorElementType.Int64
        : type == typeof(bool) ? TensorElementType.Bool
        : type == typeof(string) ? TensorElementType.String
        : null;

    /// <summary>Gets the .NET type of an element type: <see cref="float"/> for <see cref="TensorElementType.Float32"/> and so on.</summary>
    /// <param name="type">The element type.</param>
    /// <returns>The .NET type.</returns>
    public static Type ClrType(this TensorElementType type) => type switch
    {
        TensorElementType.Float32 => typeof(float),
        TensorElementType.Float64 => typeof(double),
        TensorElementType.Int32 => typeof(int),
        TensorElementType.Int64 => typeof(long),
        TensorElementType.Bool => typeof(bool),
        _ => typeof(string),
    };

    /// <summary>Gets the name of an element type, as in signatures and messages: <c>float32</c>, <c>float64</c>, <c>int32</c>, <c>int64</c>, <c>bool</c>, <c>string</c>.</summary>
    /// <param name="type">The element type.</param>
    /// <returns>The name.</returns>
    public static string Name(this TensorElementType type) => type switch
    {
        TensorElementType.Float32 => "float32",
        TensorElementType.Float64 => "float64",
        TensorElementType.Int32 => "int32",
        TensorElementType.Int64 => "int64",
        TensorElementType.Bool => "bool",
        _ => "string",
    };
}
