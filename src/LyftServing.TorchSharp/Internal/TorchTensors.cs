using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace LyftServing.TorchSharp.Internal;

/// <summary>Converts between the kit's tensors and libtorch's: inputs copied into tensors libtorch allocates, outputs copied out before the call's scope frees them.</summary>
internal static class TorchTensors
{
    /// <summary>The element types a TorchScript model's inputs and outputs may have.</summary>
    public const string Supported = "float32, float64, int32, int64 or bool";

    /// <summary>
    /// Creates a libtorch tensor of a checked input's values: a tensor allocated by libtorch with the
    /// input's shape, the values copied in. Measured on a one-row call, that costs about half of
    /// wrapping the pooled buffer (<c>frombuffer</c> pins it and registers a deleter that libtorch
    /// calls back when the tensor is freed, and <c>view</c> makes a second tensor for the shape), and
    /// the copy of the values is small beside the forward pass that reads them.
    /// </summary>
    public static torch.Tensor FromInput(TensorInputs inputs, int index, torch.Device device)
    {
        var shape = inputs.GetShape(index);
        var tensor = inputs.Signature.Inputs[index].ElementType switch
        {
            TensorElementType.Float32 => Create<float>(inputs.GetMemory<float>(index).Span, shape, torch.ScalarType.Float32),
            TensorElementType.Float64 => Create<double>(inputs.GetMemory<double>(index).Span, shape, torch.ScalarType.Float64),
            TensorElementType.Int32 => Create<int>(inputs.GetMemory<int>(index).Span, shape, torch.ScalarType.Int32),
            TensorElementType.Int64 => Create<long>(inputs.GetMemory<long>(index).Span, shape, torch.ScalarType.Int64),
            TensorElementType.Bool => Create<bool>(inputs.GetMemory<bool>(index).Span, shape, torch.ScalarType.Bool),
            var other => throw new NotSupportedException($"Input '{inputs.Signature.Inputs[index].Name}' is {other.Name()}; TorchScript inputs are {Supported} tensors."),
        };
        return device.type == DeviceType.CPU ? tensor : tensor.to(device);
    }

    /// <summary>Flattens what <c>forward</c> returned (a tensor, a tuple or a list of tensors) into its tensors, in order.</summary>
    public static torch.Tensor[] Flatten(object? result, string modelName) => result switch
    {
        torch.Tensor tensor => [tensor],
        torch.Tensor[] tensors => tensors,
        ITuple tuple => [.. Enumerable.Range(0, tuple.Length).Select(i => tuple[i] as torch.Tensor ?? throw NotTensors(modelName, tuple[i]))],
        object[] items => [.. items.Select(i => i as torch.Tensor ?? throw NotTensors(modelName, i))],
        _ => throw NotTensors(modelName, result),
    };

    /// <summary>Copies a libtorch tensor (on any device) into a <see cref="Tensor"/>.</summary>
    public static Tensor ToTensor(torch.Tensor value, string modelName, string outputName)
    {
        if (value.device_type != DeviceType.CPU)
        {
            value = value.cpu();
        }

        // contiguous() makes a new tensor even when it returns the same storage: ask first.
        if (!value.is_contiguous())
        {
            value = value.contiguous();
        }

        var shape = Shape(value);
        return value.dtype switch
        {
            torch.ScalarType.Float32 => Tensor.Create(Copy<float>(value), shape),
            torch.ScalarType.Float64 => Tensor.Create(Copy<double>(value), shape),
            torch.ScalarType.Int32 => Tensor.Create(Copy<int>(value), shape),
            torch.ScalarType.Int64 => Tensor.Create(Copy<long>(value), shape),
            torch.ScalarType.Bool => Tensor.Create(Copy<bool>(value), shape),
            var other => throw new NotSupportedException(
                $"Model '{modelName}' returned output '{outputName}' as a {other} tensor; the torchscript runtime returns {Supported} tensors (convert it in the model, such as with .float())."),
        };
    }

    /// <summary>The element type of a libtorch type, or <see langword="null"/> for one the runtime does not return.</summary>
    public static TensorElementType? ElementType(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float32 => TensorElementType.Float32,
        torch.ScalarType.Float64 => TensorElementType.Float64,
        torch.ScalarType.Int32 => TensorElementType.Int32,
        torch.ScalarType.Int64 => TensorElementType.Int64,
        torch.ScalarType.Bool => TensorElementType.Bool,
        _ => null,
    };

    /// <summary>Creates a CPU tensor of <paramref name="shape"/> holding a copy of <paramref name="values"/>, copied in parts of at most <paramref name="partLength"/> values.</summary>
    public static torch.Tensor Create<T>(ReadOnlySpan<T> values, ReadOnlySpan<long> shape, torch.ScalarType type, int partLength = int.MaxValue)
        where T : unmanaged
    {
        var tensor = torch.empty(shape, type);

        // Tensor.bytes spans at most int.MaxValue bytes: a larger input is copied in parts.
        partLength = Math.Min(partLength, int.MaxValue / Unsafe.SizeOf<T>());
        if (values.Length <= partLength)
        {
            if (!values.IsEmpty)
            {
                MemoryMarshal.AsBytes(values).CopyTo(tensor.bytes);
            }

            return tensor;
        }

        using var flat = tensor.view(-1);
        for (var start = 0; start < values.Length; start += partLength)
        {
            var part = values.Slice(start, Math.Min(partLength, values.Length - start));
            using var slice = flat.narrow(0, start, part.Length);
            MemoryMarshal.AsBytes(part).CopyTo(slice.bytes);
        }

        return tensor;
    }

    /// <summary>The tensor's dimensions, read one by one: Tensor.shape fills its array through a managed callback, several times slower for a small tensor.</summary>
    private static long[] Shape(torch.Tensor value)
    {
        var shape = new long[value.ndim];
        for (var i = 0; i < shape.Length; i++)
        {
            shape[i] = value.size(i);
        }

        return shape;
    }

    private static T[] Copy<T>(torch.Tensor value)
        where T : unmanaged =>
        MemoryMarshal.Cast<byte, T>(value.bytes).ToArray();

    private static NotSupportedException NotTensors(string modelName, object? value) =>
        new($"Model '{modelName}': forward returned {value?.GetType().Name ?? "None"}; the torchscript runtime maps a tensor, a tuple or list of tensors, or a dictionary of tensors to the declared outputs.");
}
