using System.Buffers;
using Microsoft.ML.OnnxRuntime;

namespace LyftServing.OnnxRuntime.Internal;

/// <summary>A managed array pinned under an ONNX Runtime value, reused across calls.</summary>
internal abstract class TensorBuffer : IDisposable
{
    protected TensorBuffer(int rowLength)
    {
        RowLength = rowLength;
    }

    public int RowLength { get; }

    public abstract Type ElementType { get; }

    public abstract OrtValue Value { get; }

    /// <summary>Copies an input of one call (as many values as the buffer holds) into the buffer.</summary>
    public abstract void CopyFrom(TensorInputs inputs, int index);

    /// <summary>Copies the buffer's values out into a tensor of the given shape.</summary>
    public abstract Tensor ToTensor(long[] shape);

    public abstract void Dispose();

    public static TensorBuffer Create(Type elementType, long[] shape, int rowLength, bool pooled) =>
        elementType == typeof(float) ? new TensorBuffer<float>(shape, rowLength, pooled)
        : elementType == typeof(double) ? new TensorBuffer<double>(shape, rowLength, pooled)
        : elementType == typeof(int) ? new TensorBuffer<int>(shape, rowLength, pooled)
        : elementType == typeof(long) ? new TensorBuffer<long>(shape, rowLength, pooled)
        : elementType == typeof(bool) ? new TensorBuffer<bool>(shape, rowLength, pooled)
        : throw new NotSupportedException($"Typed buffers of {elementType.Name} are not supported.");
}

internal sealed class TensorBuffer<T> : TensorBuffer
    where T : unmanaged
{
    private readonly bool _pooled;
    private readonly int _count;
    private readonly OrtValue _value;
    private T[]? _array;

    public TensorBuffer(long[] shape, int rowLength, bool pooled)
        : base(rowLength)
    {
        long length = 1;
        foreach (var dimension in shape)
        {
            length *= dimension;
        }

        var count = checked((int)length);
        _count = count;
        _pooled = pooled;
        _array = pooled ? ArrayPool<T>.Shared.Rent(Math.Max(count, 1)) : new T[count];
        _value = OrtValues.OverMemory(new Memory<T>(_array, 0, count), shape);
    }

    public override Type ElementType => typeof(T);

    public override OrtValue Value => _value;

    public Span<T> Row(int row) => _array.AsSpan(row * RowLength, RowLength);

    public override void CopyFrom(TensorInputs inputs, int index) => inputs.GetMemory<T>(index).Span.CopyTo(_array.AsSpan(0, _count));

    public override Tensor ToTensor(long[] shape) => Tensor.Create(_array.AsSpan(0, _count).ToArray(), shape);

    public override void Dispose()
    {
        // The value unpins the array; only then may a pooled array go back.
        _value.Dispose();
        var array = Interlocked.Exchange(ref _array, null);
        if (_pooled && array is not null)
        {
            ArrayPool<T>.Shared.Return(array);
        }
    }
}
