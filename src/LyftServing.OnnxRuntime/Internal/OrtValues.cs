using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace LyftServing.OnnxRuntime.Internal;

/// <summary>Creates ONNX Runtime values from managed arrays and copies tensors back out.</summary>
internal static class OrtValues
{
    /// <summary>Creates a tensor value over <paramref name="values"/> (pinned, not copied, for numbers and bools).</summary>
    public static OrtValue Create(Array values, long[] shape) => values switch
    {
        float[] a => OverMemory(a, shape),
        double[] a => OverMemory(a, shape),
        int[] a => OverMemory(a, shape),
        long[] a => OverMemory(a, shape),
        bool[] a => OverMemory(a, shape),
        string[] a => CreateStrings(a, shape),
        _ => throw new NotSupportedException($"Tensors of {values.GetType().GetElementType()?.Name} are not supported."),
    };

    public static OrtValue OverMemory<T>(T[] values, long[] shape)
        where T : unmanaged =>
        OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<T>(values), shape);

    public static OrtValue OverMemory<T>(Memory<T> values, long[] shape)
        where T : unmanaged =>
        OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, values, shape);

    private static OrtValue CreateStrings(string[] values, long[] shape)
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

    /// <summary>Copies a tensor value that ONNX Runtime returned into a managed tensor.</summary>
    public static OnnxTensor ToTensor(OrtValue value, string outputName)
    {
        if (!value.IsTensor)
        {
            throw new NotSupportedException($"Output '{outputName}' is a {value.OnnxType}, not a tensor; the ONNX adapter returns tensors only.");
        }

        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape;
        Array values = info.ElementDataType switch
        {
            TensorElementType.Float => value.GetTensorDataAsSpan<float>().ToArray(),
            TensorElementType.Double => value.GetTensorDataAsSpan<double>().ToArray(),
            TensorElementType.Int32 => value.GetTensorDataAsSpan<int>().ToArray(),
            TensorElementType.Int64 => value.GetTensorDataAsSpan<long>().ToArray(),
            TensorElementType.Bool => value.GetTensorDataAsSpan<bool>().ToArray(),
            TensorElementType.String => value.GetStringTensorAsArray(),
            _ => throw new NotSupportedException($"Output '{outputName}' has elements of type {TensorElement.Name(info.ElementDataType)}, which the ONNX adapter does not support."),
        };
        return OnnxTensor.CreateUnchecked(values, shape);
    }
}
