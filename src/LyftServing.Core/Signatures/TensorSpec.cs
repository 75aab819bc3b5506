using System.Globalization;
using System.Text.Json.Serialization;

namespace LyftServing;

/// <summary>One input or output of a model: its name, element type and shape, with dynamic dimensions.</summary>
/// <remarks>Immutable and thread-safe. Serialised as JSON for the status view (<c>GET /models</c>).</remarks>
public sealed class TensorSpec
{
    /// <summary>Creates a tensor description.</summary>
    /// <param name="name">The input or output name.</param>
    /// <param name="elementType">The element type.</param>
    /// <param name="dimensions">The dimensions; -1 marks a dynamic dimension (such as the batch dimension).</param>
    /// <param name="dimensionNames">The symbolic names of the dimensions (such as <c>N</c>), <see langword="null"/> for fixed or unnamed ones; dynamic dimensions with the same name must agree across inputs. <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, a dimension is below -1, or there are more names than dimensions.</exception>
    public TensorSpec(string name, TensorElementType elementType, IReadOnlyList<long> dimensions, IReadOnlyList<string?>? dimensionNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(dimensions);
        if (!Enum.IsDefined(elementType))
        {
            throw new ArgumentOutOfRangeException(nameof(elementType), elementType, "Not a tensor element type.");
        }

        foreach (var dimension in dimensions)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(dimension, -1, nameof(dimensions));
        }

        if (dimensionNames is not null && dimensionNames.Count != dimensions.Count)
        {
            throw new ArgumentException($"There are {dimensionNames.Count} dimension names for {dimensions.Count} dimensions.", nameof(dimensionNames));
        }

        Name = name;
        ElementType = elementType;
        Dimensions = [.. dimensions];
        DimensionNames = dimensionNames is null ? new string?[dimensions.Count] : [.. dimensionNames];
    }

    /// <summary>Gets the input or output name.</summary>
    public string Name { get; }

    /// <summary>Gets the element type.</summary>
    public TensorElementType ElementType { get; }

    /// <summary>Gets the dimensions; -1 marks a dynamic dimension.</summary>
    public IReadOnlyList<long> Dimensions { get; }

    /// <summary>Gets the symbolic names of the dimensions (such as <c>N</c>); <see langword="null"/> for a fixed or unnamed dimension.</summary>
    public IReadOnlyList<string?> DimensionNames { get; }

    /// <summary>
    /// Gets or initialises the names of the entries of the last dimension (the feature names of a
    /// tabular model), or <see langword="null"/>. When the signature's only input has them, JSON
    /// features may also name one row's values: <c>{"age": 41, "income": 5.2}</c>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? ColumnNames { get; init; }

    /// <summary>Gets the number of dimensions.</summary>
    [JsonIgnore]
    public int Rank => Dimensions.Count;

    /// <summary>Gets whether the first dimension is dynamic, so that rows can be stacked into one batch.</summary>
    [JsonIgnore]
    public bool HasBatchDimension => Dimensions.Count > 0 && Dimensions[0] < 0;

    /// <summary>Gets the number of values in one row: the product of the dimensions after the first (batch) one, or -1 if one of them is dynamic.</summary>
    internal long RowLength
    {
        get
        {
            long length = 1;
            for (var d = HasBatchDimension ? 1 : 0; d < Dimensions.Count; d++)
            {
                if (Dimensions[d] < 0)
                {
                    return -1;
                }

                length *= Dimensions[d];
            }

            return length;
        }
    }

    /// <summary>Describes the tensor, such as <c>float32[N,8]</c> (<c>?</c> for an unnamed dynamic dimension).</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        var dimensions = new string[Dimensions.Count];
        for (var i = 0; i < dimensions.Length; i++)
        {
            dimensions[i] = Dimensions[i] >= 0 ? Dimensions[i].ToString(CultureInfo.InvariantCulture) : DimensionNames[i] ?? "?";
        }

        return $"{TensorElementTypes.Name(ElementType)}[{string.Join(",", dimensions)}]";
    }
}
