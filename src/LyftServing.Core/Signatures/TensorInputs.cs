using System.Buffers;

namespace LyftServing;

/// <summary>
/// The checked inputs of one call, made by <see cref="ModelSignature.BindInputs"/>: for each input
/// of the signature, in its order, its values as the input's element type and its shape. What a
/// runtime hands to its framework.
/// </summary>
/// <remarks>
/// Values whose type had to change live in buffers rented from the shared array pools; dispose the
/// inputs once the framework is done with them (after the run) to return them. One caller at a time.
/// </remarks>
public sealed class TensorInputs : IDisposable
{
    private readonly Entry[] _entries;

    internal TensorInputs(ModelSignature signature)
    {
        Signature = signature;
        _entries = new Entry[signature.Inputs.Count];
    }

    /// <summary>Gets the signature the inputs were checked against.</summary>
    public ModelSignature Signature { get; }

    /// <summary>Gets the number of inputs (as many as the signature's).</summary>
    public int Count => _entries.Length;

    /// <summary>Gets the number of rows: the size of the first dimension of inputs that have a batch dimension, or 1.</summary>
    public long RowCount { get; internal set; } = 1;

    /// <summary>Gets the shape of an input.</summary>
    /// <param name="index">The input's index in <see cref="ModelSignature.Inputs"/>.</param>
    /// <returns>The dimensions.</returns>
    public ReadOnlySpan<long> GetShape(int index) => _entries[index].Shape;

    /// <summary>Gets the values of a numeric or bool input, in row-major order.</summary>
    /// <typeparam name="T">The .NET type of the input's element type (<see cref="float"/> for float32 …).</typeparam>
    /// <param name="index">The input's index in <see cref="ModelSignature.Inputs"/>.</param>
    /// <returns>The values; valid until the inputs are disposed. Frameworks may pin them.</returns>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not the input's element type.</exception>
    public Memory<T> GetMemory<T>(int index)
        where T : unmanaged
    {
        ref readonly var entry = ref _entries[index];
        return entry.Values is T[] values
            ? new Memory<T>(values, 0, entry.Length)
            : throw WrongType(index, typeof(T));
    }

    /// <summary>Gets the values of a string input, in row-major order.</summary>
    /// <param name="index">The input's index in <see cref="ModelSignature.Inputs"/>.</param>
    /// <returns>The strings.</returns>
    /// <exception cref="InvalidOperationException">The input does not hold strings.</exception>
    public ReadOnlySpan<string> GetStrings(int index)
    {
        ref readonly var entry = ref _entries[index];
        return entry.Values is string[] values ? values.AsSpan(0, entry.Length) : throw WrongType(index, typeof(string));
    }

    /// <summary>Returns the rented buffers.</summary>
    public void Dispose()
    {
        for (var i = 0; i < _entries.Length; i++)
        {
            if (_entries[i].Rented)
            {
                Return(_entries[i].Values);
            }

            _entries[i] = default;
        }
    }

    internal Array Values(int index) => _entries[index].Values;

    internal int Length(int index) => _entries[index].Length;

    internal long[] ShapeArray(int index) => _entries[index].Shape;

    internal void Set(int index, Array values, int length, long[] shape, bool rented) =>
        _entries[index] = new Entry(values, length, shape, rented);

    internal static Array Rent(TensorElementType type, int length) => type switch
    {
        TensorElementType.Float32 => ArrayPool<float>.Shared.Rent(length),
        TensorElementType.Float64 => ArrayPool<double>.Shared.Rent(length),
        TensorElementType.Int32 => ArrayPool<int>.Shared.Rent(length),
        TensorElementType.Int64 => ArrayPool<long>.Shared.Rent(length),
        TensorElementType.Bool => ArrayPool<bool>.Shared.Rent(length),
        _ => ArrayPool<string>.Shared.Rent(length),
    };

    internal static void Return(Array values)
    {
        switch (values)
        {
            case float[] a:
                ArrayPool<float>.Shared.Return(a);
                break;
            case double[] a:
                ArrayPool<double>.Shared.Return(a);
                break;
            case int[] a:
                ArrayPool<int>.Shared.Return(a);
                break;
            case long[] a:
                ArrayPool<long>.Shared.Return(a);
                break;
            case bool[] a:
                ArrayPool<bool>.Shared.Return(a);
                break;
            case string[] a:
                ArrayPool<string>.Shared.Return(a, clearArray: true);
                break;
        }
    }

    private InvalidOperationException WrongType(int index, Type requested)
    {
        var spec = Signature.Inputs[index];
        return new InvalidOperationException(
            $"Input '{spec.Name}' holds {TensorElementTypes.Name(spec.ElementType)} values; read them as {TensorElementTypes.ClrType(spec.ElementType).Name}, not {requested.Name}.");
    }

    private readonly record struct Entry(Array Values, int Length, long[] Shape, bool Rented);
}
