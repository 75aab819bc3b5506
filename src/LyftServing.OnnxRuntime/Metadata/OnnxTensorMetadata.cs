namespace LyftServing.OnnxRuntime;

/// <summary>One input or output of an ONNX model: its name, element type and shape.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class OnnxTensorMetadata
{
    /// <summary>Gets the input or output name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the element type: <c>float32</c>, <c>float64</c>, <c>int32</c>, <c>int64</c>, <c>bool</c>, <c>string</c>, or another ONNX type name the adapter does not support.</summary>
    public required string ElementType { get; init; }

    /// <summary>Gets the dimensions; -1 marks a dynamic dimension (such as the batch dimension).</summary>
    public required IReadOnlyList<long> Dimensions { get; init; }

    /// <summary>Gets the symbolic names of the dimensions (such as <c>N</c>); <see langword="null"/> for a fixed or unnamed dimension.</summary>
    public required IReadOnlyList<string?> DimensionNames { get; init; }

    /// <summary>Describes the tensor, such as <c>float32[N,8]</c> (<c>?</c> for an unnamed dynamic dimension).</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        var dimensions = new string[Dimensions.Count];
        for (var i = 0; i < dimensions.Length; i++)
        {
            dimensions[i] = Dimensions[i] >= 0
                ? Dimensions[i].ToString(System.Globalization.CultureInfo.InvariantCulture)
                : DimensionNames[i] ?? "?";
        }

        return $"{ElementType}[{string.Join(",", dimensions)}]";
    }
}
