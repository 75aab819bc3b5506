using System.Text.Json;

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

    private static readonly (byte[] Name, Datatype Type)[] Datatypes =
    [
        ("FP32"u8.ToArray(), new(TensorElementType.Float32, 0, 0)),
        ("FP64"u8.ToArray(), new(TensorElementType.Float64, 0, 0)),
        ("INT64"u8.ToArray(), new(TensorElementType.Int64, long.MinValue, long.MaxValue)),
        ("INT32"u8.ToArray(), new(TensorElementType.Int32, int.MinValue, int.MaxValue)),
        ("BOOL"u8.ToArray(), new(TensorElementType.Bool, 0, 0)),
        ("BYTES"u8.ToArray(), new(TensorElementType.String, 0, 0)),
        ("INT8"u8.ToArray(), new(TensorElementType.Int64, sbyte.MinValue, sbyte.MaxValue)),
        ("INT16"u8.ToArray(), new(TensorElementType.Int64, short.MinValue, short.MaxValue)),
        ("UINT8"u8.ToArray(), new(TensorElementType.Int64, byte.MinValue, byte.MaxValue)),
        ("UINT16"u8.ToArray(), new(TensorElementType.Int64, ushort.MinValue, ushort.MaxValue)),
        ("UINT32"u8.ToArray(), new(TensorElementType.Int64, uint.MinValue, uint.MaxValue)),
        ("UINT64"u8.ToArray(), new(TensorElementType.Int64, 0, long.MaxValue)),
    ];

    /// <summary>Reads a request's <c>datatype</c> (a JSON string, case-sensitive as the protocol's strings are) without allocating.</summary>
    public static bool TryParse(JsonElement name, out Datatype datatype)
    {
        foreach (var (utf8, type) in Datatypes)
        {
            if (name.ValueEquals(utf8))
            {
                datatype = type;
                return true;
            }
        }

        datatype = default;
        return false;
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
