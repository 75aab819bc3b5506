using Microsoft.ML.OnnxRuntime;
using OrtElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace LyftServing.OnnxRuntime.Internal;

/// <summary>Creates ONNX Runtime values over checked inputs and copies output values into tensors.</summary>
internal static class OrtValues
{
    /// <summary>Creates a tensor value over an input's buffer (pinned, not copied, for numbers and bools).</summary>
    public static OrtValue Create(TensorInputs inputs, int index)
    {
        var shape = inputs.GetShape(index).ToArray();
        return inputs.Signature.Inputs[index].ElementType switch
        {
            TensorElementType.Float32 => OverMemory(inputs.GetMemory<float>(index), shape),
            TensorElementType.Float64 => OverMemory(inputs.GetMemory<double>(index), shape),
            TensorElementType.Int32 => OverMemory(inputs.GetMemory<int>(index), shape),
            TensorElementType.Int64 => OverMemory(inputs.GetMemory<long>(index), shape),
            TensorElementType.Bool => OverMemory(inputs.GetMemory<bool>(index), shape),
            _ => CreateStrings(inputs.GetStrings(index), shape),
        };
    }

    public static OrtValue OverMemory<T>(Memory<T> values, long[] shape)
        where T : unmanaged =>
        OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, values, shape);

    private static OrtValue CreateStrings(ReadOnlySpan<string> values, long[] shape)
    {
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                value.StringTensorSetElementAt(values[i].AsSpan(), i);
            }

            return value;
        }
        catch
        {
            value.Dispose();
            throw;
        }
    }

    /// <summary>Copies a tensor value that ONNX Runtime returned into a tensor.</summary>
    public static Tensor ToTensor(OrtValue value, string outputName)
    {
        if (!value.IsTensor)
        {
            throw new NotSupportedException($"Output '{outputName}' is a {value.OnnxType}, not a tensor; the onnx runtime returns tensors only.");
        }

        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape;
        return info.ElementDataType switch
        {
            OrtElementType.Float => Tensor.Create(value.GetTensorDataAsSpan<float>().ToArray(), shape),
            OrtElementType.Double => Tensor.Create(value.GetTensorDataAsSpan<double>().ToArray(), shape),
            OrtElementType.Int32 => Tensor.Create(value.GetTensorDataAsSpan<int>().ToArray(), shape),
            OrtElementType.Int64 => Tensor.Create(value.GetTensorDataAsSpan<long>().ToArray(), shape),
            OrtElementType.Bool => Tensor.Create(value.GetTensorDataAsSpan<bool>().ToArray(), shape),
            OrtElementType.String => Tensor.Create(value.GetStringTensorAsArray(), shape),
            _ => throw new NotSupportedException($"Output '{outputName}' has elements of type {info.ElementDataType}, which the onnx runtime does not support."),
        };
    }
}
