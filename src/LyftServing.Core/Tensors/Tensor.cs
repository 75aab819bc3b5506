using System.Text.Json.Serialization;
using LyftServing.Internal;

namespace LyftServing;

/// <summary>
/// A dense tensor: its element type, its shape and its values in row-major order. Named tensors
/// (<see cref="Tensors"/>) are the features and outputs of models served by a tensor runtime
/// (ONNX Runtime, TorchScript, LightGBM …), whatever the framework.
/// </summary>
/// <remarks>
/// <para>
/// As JSON a tensor is a nested array (a single value for rank 0): <c>[[0.5, 1.25], [2, 3]]</c> is
/// a 2×2 tensor. A tensor read from JSON holds <see cref="long"/> values when every number is an
/// integer, <see cref="float"/> values when every number is exactly a 32-bit float (as written by
/// float32 models and their tools), and <see cref="double"/> values otherwise; a model converts
/// numbers to the element type of its input (<see cref="ModelSignature.BindInputs"/>).
/// </para>
/// <para>
/// Immutable after creation and safe to read from any thread. <see cref="Create{T}(T[], long[])"/>
/// keeps a reference to the values array instead of copying it: do not change the array while
/// the tensor is in use.
/// </para>
/// </remarks>
[JsonConverter(typeof(TensorJsonConverter))]
public sealed class Tensor
{
    private Tensor(Array values, long[] shape, TensorElementType elementType)
    {
        Values = values;
        ShapeArray = shape;
        ElementType = elementType;
    }

    /// <summary>Gets the element type.</summary>
    public TensorElementType ElementType { get; }

    /// <summary>Gets the dimensions; empty for a scalar.</summary>
    public ReadOnlySpan<long> Shape => ShapeArray;

    /// <summary>Gets the number of dimensions.</summary>
    public int Rank => ShapeArray.Length;

    /// <summary>Gets the number of values (the product of the dimensions).</summary>
    public int Length => Values.Length;

    internal Array Values { get; }

    internal long[] ShapeArray { get; }

    /// <summary>Creates a tensor over an array of values (not copied) and a shape.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, <see cref="int"/>, <see cref="long"/>, <see cref="bool"/> or <see cref="string"/>.</typeparam>
    /// <param name="values">The values in row-major order.</param>
    /// <param name="shape">The dimensions; none for a scalar (one value).</param>
    /// <returns>The tensor.</returns>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is not a supported element type, a dimension is negative, the shape does not fit the number of values, or a string is <see langword="null"/>.</exception>
    public static Tensor Create<T>(T[] values, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(shape);
        var elementType = TensorElementTypes.Of(typeof(T))
            ?? throw new ArgumentException($"Tensors of {typeof(T).Name} are not supported; use float, double, int, long, bool or string.", nameof(values));
        long count = 1;
        foreach (var dimension in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(dimension, nameof(shape));
            count *= dimension;
        }

        if (count != values.Length)
        {
            throw new ArgumentException($"The shape {TensorElements.FormatShape(shape)} holds {count} values, but {values.Length} were given.", nameof(shape));
        }

        if (values is string[] strings && Array.IndexOf(strings, null) is var nullIndex and >= 0)
        {
            throw new ArgumentException($"The string at index {nullIndex} is null; string tensors hold no nulls.", nameof(values));
        }

        return new Tensor(values, (long[])shape.Clone(), elementType);
    }

    /// <summary>Gets the values as a span of <typeparamref name="T"/>, in row-major order.</summary>
    /// <typeparam name="T">The .NET type of <see cref="ElementType"/>.</typeparam>
    /// <returns>The values.</returns>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not the .NET type of <see cref="ElementType"/>.</exception>
    public ReadOnlySpan<T> GetValues<T>() =>
        Values as T[] ?? throw new InvalidOperationException(
            $"The tensor holds {TensorElementTypes.Name(ElementType)} values; read them with GetValues<{TensorElementTypes.ClrType(ElementType).Name}>(), not GetValues<{typeof(T).Name}>().");

    /// <summary>Describes the tensor's type and shape, such as <c>float32[1,8]</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => TensorElementTypes.Name(ElementType) + TensorElements.FormatShape(ShapeArray);

    /// <summary>Creates a tensor without checks, over arrays the caller no longer uses.</summary>
    internal static Tensor CreateUnchecked(Array values, long[] shape) =>
        new(values, shape, TensorElementTypes.Of(values.GetType().GetElementType()!)!.Value);
}
