namespace LyftServing.AspNetCore.Internal;

/// <summary>
/// The Open Inference Protocol's tensor datatypes and how they map onto <see cref="TensorElementType"/>:
/// FP32, FP64, INT32, INT64, BOOL and BYTES are read as such; the narrower and unsigned integer types
/// are read as 64-bit integers in their own range, and the model converts them to its input's type
/// (the protocol lets the server coerce).
/// </summary>
internal static class OpenInferenceDatatypes
{
    /// <summary>The datatypes requests may name, for the details of rejections.</summary>
    public const string Supported = "BOOL, INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, FP32, FP64 and BYTES";

    /// <summary>The datatype a request names: the element type it is read as and the range of integer values.</summary>
    public readonly record struct Datatype(TensorElementType ElementType, long Min, long Max);

    public static bool TryParse(string name, out Datatype datatype)
    {
        datatype = name switch
        {
            "FP32" => new(TensorElementType.Float32, 0, 0),
            "FP64" => new(TensorElementType.Float64, 0, 0),
            "INT32" => new(TensorElementType.Int32, int.MinValue, int.MaxValue),
            "INT64" => new(TensorElementType.Int64, long.MinValue, long.MaxValue),
            "BOOL" => new(TensorElementType.Bool, 0, 0),
            "BYTES" => new(TensorElementType.String, 0, 0),
            "INT8" => new(TensorElementType.Int64, sbyte.MinValue, sbyte.MaxValue),
            "INT16" => new(TensorElementType.Int64, short.MinValue, short.MaxValue),
            "UINT8" => new(TensorElementType.Int64, byte.MinValue, byte.MaxValue),
            "UINT16" => new(TensorElementType.Int64, ushort.MinValue, ushort.MaxValue),
            "UINT32" => new(TensorElementType.Int64, uint.MinValue, uint.MaxValue),
            "UINT64" => new(TensorElementType.Int64, 0, long.MaxValue),
            _ => default,
        };
        return name is "FP32" or "FP64" or "INT32" or "INT64" or "BOOL" or "BYTES" or "INT8" or "INT16" or "UINT8" or "UINT16" or "UINT32" or "UINT64";
    }

    /// <summary>The protocol's name of an element type, for metadata and outputs.</summary>
    public static string Name(TensorElementType type) => type switch
    {
        TensorElementType.Float32 => "FP32",
        TensorElementType.Float64 => "FP64",
        TensorElementType.Int32 => "INT32",
        TensorElementType.Int64 => "INT64",
        TensorElementType.Bool => "BOOL",
        _ => "BYTES",
    };
}
