using LyftServing.OnnxRuntime.Internal;

namespace LyftServing.OnnxRuntime;

/// <summary>The values of one row of the mapped outputs, passed to an <see cref="OnnxOutputsReader{TOutput}"/>.</summary>
/// <remarks>Valid only during the reader's call: the spans point into buffers that the next call reuses.</remarks>
public readonly ref struct OnnxOutputRow
{
    private readonly string[] _names;
    private readonly TensorBuffer[] _buffers;
    private readonly int _row;

    internal OnnxOutputRow(string[] names, TensorBuffer[] buffers, int row)
    {
        _names = names;
        _buffers = buffers;
        _row = row;
    }

    /// <summary>Gets the values of an output for this row, in row-major order.</summary>
    /// <typeparam name="T">The output's element type.</typeparam>
    /// <param name="outputName">The output's name, one of those given to <c>MapOutputs</c>.</param>
    /// <returns>The values.</returns>
    /// <exception cref="ArgumentException">The output is not mapped, or its element type is not <typeparamref name="T"/>.</exception>
    /// <exception cref="InvalidOperationException">The row is a default value, not one passed to a reader.</exception>
    public ReadOnlySpan<T> Get<T>(string outputName)
        where T : unmanaged
    {
        if (_names is null)
        {
            throw new InvalidOperationException("This OnnxOutputRow was not created by a model call; it holds no outputs.");
        }

        for (var i = 0; i < _names.Length; i++)
        {
            if (ReferenceEquals(_names[i], outputName) || string.Equals(_names[i], outputName, StringComparison.Ordinal))
            {
                return _buffers[i] is TensorBuffer<T> buffer
                    ? buffer.Row(_row)
                    : throw new ArgumentException(
                        $"Output '{outputName}' holds {TensorElementTypes.Name(TensorElementTypes.Of(_buffers[i].ElementType)!.Value)} values; read it with Get<{_buffers[i].ElementType.Name}>(), not Get<{typeof(T).Name}>().",
                        nameof(outputName));
            }
        }

        throw new ArgumentException($"Output '{outputName}' is not mapped; the mapped outputs are: {string.Join(", ", _names)}.", nameof(outputName));
    }
}
