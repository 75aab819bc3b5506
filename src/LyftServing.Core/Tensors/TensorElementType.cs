using System.Text.Json.Serialization;

namespace LyftServing;

/// <summary>The element types of a <see cref="Tensor"/>; as JSON and in messages, their lowercase names (<c>float32</c> …).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TensorElementType>))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The names every tensor framework uses (ONNX, NumPy, PyTorch).")]
public enum TensorElementType
{
    /// <summary>32-bit floating-point numbers (<see cref="float"/>).</summary>
    [JsonStringEnumMemberName("float32")]
    Float32,

    /// <summary>64-bit floating-point numbers (<see cref="double"/>).</summary>
    [JsonStringEnumMemberName("float64")]
    Float64,

    /// <summary>32-bit integers (<see cref="int"/>).</summary>
    [JsonStringEnumMemberName("int32")]
    Int32,

    /// <summary>64-bit integers (<see cref="long"/>).</summary>
    [JsonStringEnumMemberName("int64")]
    Int64,

    /// <summary>true/false values (<see cref="bool"/>).</summary>
    [JsonStringEnumMemberName("bool")]
    Bool,

    /// <summary>Strings (<see cref="string"/>).</summary>
    [JsonStringEnumMemberName("string")]
    String,
}
