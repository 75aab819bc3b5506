using System.Globalization;
using System.Text.Json.Serialization;
using LyftServing.OnnxRuntime.Internal;

namespace LyftServing.OnnxRuntime;

/// <summary>
/// A dense tensor: its element type, its shape and its values in row-major order. The untyped
/// features and outputs of ONNX models (<see cref="OnnxTensors"/>) are made of these.
/// </summary>
/// <remarks>
/// <para>
/// Element types: <see cref="float"/>, <see cref="double"/>, <see cref="int"/>, <see cref="long"/>,
/// <see cref="bool"/> and <see cref="string"/>. As JSON a tensor is a nested array (a scalar for
/// rank 0): <c>[[0.5, 1.25], [2, 3]]</c> is a 2×2 tensor. A tensor read from JSON holds
/// <see cref="long"/> values when every number is an integer and <see cref="double"/> values
/// otherwise; the model converts numbers to the element type of its input.
/// </para>
/// <para>
/// Immutable after creation and safe to read from any thread. <see cref="Create{T}(T[], long[])"/>
/// keeps a reference to the values array instead of copying it: do not change the array while
/// the tensor is in use.
/// </para>
/// </remarks>
[JsonConverter(typeof(OnnxTensorJsonConverter))]
public sealed class OnnxTensor
{
    private readonly long[] _shape;

    private OnnxTensor(Array values, long[] shape, Type elementType)
    {
        Values = values;
        _shape = shape;
        ElementType = elementType;
    }

    /// <summary>Gets the element type: <see cref="float"/>, <see cref="double"/>, <see cref="int"/>, <see cref="long"/>, <see cref="bool"/> or <see cref="string"/>.</summary>
    public Type ElementType { get; }

    /// <summary>Gets the dimensions; empty for a scalar.</summary>
    public ReadOnlySpan<long> Shape => _shape;

    /// <summary>Gets the number of dimensions (0 for a scalar).</summary>
    public int Rank => _shape.Length;

    /// <summary>Gets the number of elements (the product of the dimensions).</summary>
    public int Length => Values.Length;

    /// <summary>Gets the values: an array of <see cref="ElementType"/>.</summary>
    internal Array Values { get; }

    internal long[] ShapeArray => _shape;

    /// <summary>Creates a tensor over an array of values.</summary>
    /// <typeparam name="T"><see cref="float"/>, <see cref="double"/>, <see cref="int"/>, <see cref="long"/>, <see cref="bool"/> or <see cref="string"/>.</typeparam>
    /// <param name="values">The values in row-major order; kept by reference, not copied.</param>
    /// <param name="shape">The dimensions, whose product must equal the number of values; none for a scalar (one value).</param>
    /// <returns>The tensor.</returns>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is not a supported element type, a dimension is negative, the shape does not fit the number of values, or a string is <see langword="null"/>.</exception>
    public static OnnxTensor Create<T>(T[] values, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(shape);
        if (!TensorElement.IsSupported(typeof(T)))
        {
            throw new ArgumentException(
                $"ONNX tensors of {typeof(T).Name} are not supported; use float, double, int, long, bool or string.", nameof(values));
        }

        long count = 1;
        foreach (var dimension in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(dimension, nameof(shape));
            count *= dimension;
        }

        if (count != values.Length)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The shape {TensorElement.FormatShape(shape)} holds {count} values, but {values.Length} were given."),
                nameof(shape));
        }

        if (values is string[] strings && Array.IndexOf(strings, null) is var nullIndex and >= 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The string at index {nullIndex} is null; string tensors hold no nulls."), nameof(values));
        }

        return new OnnxTensor(values, (long[])shape.Clone(), typeof(T));
    }

    /// <summary>Gets the values as a span of <typeparamref name="T"/>, in row-major order.</summary>
    /// <typeparam name="T">The element type; must be <see cref="ElementType"/>.</typeparam>
    /// <returns>The values.</returns>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not <see cref="ElementType"/>.</exception>
    public ReadOnlySpan<T> GetValues<T>() =>
        Values as T[] ?? throw new InvalidOperationException(
            $"The tensor holds {TensorElement.Name(ElementType)} values; read them with GetValues<{ElementType.Name}>(), not GetValues<{typeof(T).Name}>().");

    /// <summary>Describes the tensor's type and shape, such as <c>float32[1,8]</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => TensorElement.Name(ElementType) + TensorElement.FormatShape(_shape);

    /// <summary>Creates a tensor without checks, over an array the caller no longer uses.</summary>
    internal static OnnxTensor CreateUnchecked(Array values, long[] shape) =>
        new(values, shape, values.GetType().GetElementType()!);
}
