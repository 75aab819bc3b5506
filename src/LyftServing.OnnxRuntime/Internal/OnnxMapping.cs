using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace LyftServing.OnnxRuntime.Internal;

/// <summary>A typed model's mapping as registered: checked against each version's session when it loads.</summary>
internal sealed class OnnxMapping<TFeatures, TOutput>(string modelName, InputMap<TFeatures>[] inputs, OutputMap<TOutput> output)
{
    public string ModelName { get; } = modelName;

    /// <summary>Checks the mapping against a loaded session and plans the buffers of a call.</summary>
    public OnnxPlan<TFeatures, TOutput> Compile(OnnxSession session)
    {
        var model = session.ModelName;
        var sessionInputs = session.Signature.Inputs;
        var sessionOutputs = session.Signature.Outputs;
        foreach (var map in inputs)
        {
            if (!sessionInputs.Any(i => i.Name == map.Name))
            {
                throw new InvalidOperationException(
                    $"The mapping of model '{model}' maps the input '{map.Name}', which the model does not have; its inputs are: {Describe(sessionInputs)}.");
            }
        }

        // An input the typed path can never bind is the first thing to say, before any mapping detail.
        foreach (var input in sessionInputs)
        {
            if (input.ElementType == TensorElementType.String)
            {
                throw new InvalidOperationException(
                    $"Input '{input.Name}' ({input}) of model '{model}' cannot be written by the typed path, which binds float32, float64, int32, int64 and bool tensors; serve the model with the untyped onnx runtime (Tensors) instead.");
            }
        }

        var inputSlots = new Slot[sessionInputs.Count];
        var inputMaps = new InputMap<TFeatures>[sessionInputs.Count];
        for (var i = 0; i < sessionInputs.Count; i++)
        {
            var input = sessionInputs[i];
            var map = Array.Find(inputs, m => m.Name == input.Name)
                ?? throw new InvalidOperationException(
                    $"Input '{input.Name}' ({input}) of model '{model}' is not mapped; add .MapInput<{ClrName(input.ElementType)}>(\"{input.Name}\", (features, row) => …) to AddOnnxModel.");
            inputSlots[i] = PlanSlot(model, "input", input, map.ElementType, $"MapInput<{map.ElementType.Name}>");
            inputMaps[i] = map;
        }

        var names = output.OutputNames.Length > 0 ? output.OutputNames : [.. sessionOutputs.Select(o => o.Name)];
        var outputSlots = new Slot[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            var info = sessionOutputs.FirstOrDefault(o => o.Name == names[i])
                ?? throw new InvalidOperationException(
                    $"The mapping of model '{model}' reads the output '{names[i]}', which the model does not have; its outputs are: {Describe(sessionOutputs)}.");
            var elementType = output.ElementType ?? (info.ElementType == TensorElementType.String ? null : TensorElementTypes.ClrType(info.ElementType));
            if (elementType is null)
            {
                throw new InvalidOperationException(
                    $"Output '{info.Name}' ({info}) of model '{model}' cannot be read by the typed path, which reads float32, float64, int32, int64 and bool tensors; name the outputs to read in MapOutputs, or serve the model with the untyped onnx runtime (Tensors).");
            }

            outputSlots[i] = PlanSlot(model, "output", info, elementType, output.ElementType is null ? "MapOutputs" : $"MapOutput<{elementType.Name}>");
        }

        var batchable = inputSlots.All(s => s.Info.HasBatchDimension) && outputSlots.All(s => s.Info.HasBatchDimension);
        return new OnnxPlan<TFeatures, TOutput>(session, inputSlots, inputMaps, outputSlots, output.Bind(names), batchable);
    }

    private static Slot PlanSlot(string model, string kind, TensorSpec info, Type mappedType, string call)
    {
        if (TensorElementTypes.Of(mappedType) != info.ElementType)
        {
            var mapped = TensorElementTypes.Of(mappedType) is { } type ? TensorElementTypes.Name(type) : mappedType.Name;
            throw new InvalidOperationException(
                $"{call}(\"{info.Name}\") of model '{model}' uses {mapped}, but {kind} '{info.Name}' is {info}; use {call[..call.IndexOf('<', StringComparison.Ordinal)]}<{ClrName(info.ElementType)}>.");
        }

        var first = info.HasBatchDimension ? 1 : 0;
        long rowLength = 1;
        for (var d = first; d < info.Rank; d++)
        {
            if (info.Dimensions[d] < 0)
            {
                throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"The {kind} '{info.Name}' of model '{model}' is {info}: dimension {d} is dynamic, but the typed path needs fixed sizes after the first (batch) dimension to pre-allocate its buffers; serve the model with the untyped onnx runtime (Tensors) instead."));
            }

            rowLength *= info.Dimensions[d];
        }

        return new Slot(info, mappedType, checked((int)rowLength));
    }

    private static string ClrName(TensorElementType type) => type switch
    {
        TensorElementType.Float32 => "float",
        TensorElementType.Float64 => "double",
        TensorElementType.Int32 => "int",
        TensorElementType.Int64 => "long",
        TensorElementType.Bool => "bool",
        _ => "string",
    };

    private static string Describe(IReadOnlyList<TensorSpec> tensors) => string.Join(", ", tensors.Select(t => $"{t.Name} ({t})"));
}

/// <summary>An input or output of a compiled plan: its metadata, element type and the length of one row.</summary>
internal sealed record Slot(TensorSpec Info, Type ElementType, int RowLength)
{
    /// <summary>The shape of a call with <paramref name="rows"/> rows.</summary>
    public long[] Shape(int rows)
    {
        var shape = Info.Dimensions.ToArray();
        if (Info.HasBatchDimension)
        {
            shape[0] = rows;
        }

        return shape;
    }

    public TensorBuffer CreateBuffer(int rows, bool pooled) => TensorBuffer.Create(ElementType, Shape(rows), RowLength, pooled);
}

/// <summary>Writes one input from the features.</summary>
internal abstract class InputMap<TFeatures>(string name)
{
    public string Name { get; } = name;

    public abstract Type ElementType { get; }

    public abstract void Write(TFeatures features, TensorBuffer buffer, int row);
}

internal sealed class InputMap<TFeatures, T>(string name, OnnxInputWriter<TFeatures, T> write) : InputMap<TFeatures>(name)
    where T : unmanaged
{
    public override Type ElementType => typeof(T);

    public override void Write(TFeatures features, TensorBuffer buffer, int row) => write(features, ((TensorBuffer<T>)buffer).Row(row));
}

/// <summary>Reads the typed output from the output buffers; bound to the output names of a version by <see cref="Bind"/>.</summary>
internal abstract class OutputMap<TOutput>(string[] outputNames)
{
    /// <summary>Gets the outputs to read; empty for all of the model's outputs.</summary>
    public string[] OutputNames { get; } = outputNames;

    /// <summary>Gets the element type of a single mapped output, or <see langword="null"/> when each output has its own.</summary>
    public abstract Type? ElementType { get; }

    public virtual OutputMap<TOutput> Bind(string[] names) => this;

    public abstract TOutput Read(TensorBuffer[] outputs, int row);
}

internal sealed class SingleOutputMap<TOutput, T>(string outputName, OnnxOutputReader<T, TOutput> read) : OutputMap<TOutput>([outputName])
    where T : unmanaged
{
    public override Type? ElementType => typeof(T);

    public override TOutput Read(TensorBuffer[] outputs, int row) => read(((TensorBuffer<T>)outputs[0]).Row(row));
}

internal sealed class MultiOutputMap<TOutput>(string[] outputNames, OnnxOutputsReader<TOutput> read) : OutputMap<TOutput>(outputNames)
{
    public override Type? ElementType => null;

    public override OutputMap<TOutput> Bind(string[] names) => new MultiOutputMap<TOutput>(names, read);

    public override TOutput Read(TensorBuffer[] outputs, int row) => read(new OnnxOutputRow(OutputNames, outputs, row));
}

/// <summary>The reusable buffers and binding of one call in flight: one caller at a time.</summary>
internal sealed class BindingSet : IDisposable
{
    public BindingSet(OnnxSession session, Slot[] inputs, Slot[] outputs, int rows, bool pooledArrays)
    {
        Inputs = new TensorBuffer[inputs.Length];
        Outputs = new TensorBuffer[outputs.Length];
        RunOptions = new RunOptions();
        Binding = session.Session.CreateIoBinding();
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                Inputs[i] = inputs[i].CreateBuffer(rows, pooledArrays);
                Binding.BindInput(inputs[i].Info.Name, Inputs[i].Value);
            }

            for (var i = 0; i < outputs.Length; i++)
            {
                Outputs[i] = outputs[i].CreateBuffer(rows, pooledArrays);
                Binding.BindOutput(outputs[i].Info.Name, Outputs[i].Value);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public TensorBuffer[] Inputs { get; }

    public TensorBuffer[] Outputs { get; }

    public OrtIoBinding Binding { get; }

    public RunOptions RunOptions { get; }

    public void Dispose()
    {
        // The binding refers to the values, which pin the arrays: release in that order.
        Binding.Dispose();
        foreach (var buffer in Inputs)
        {
            buffer?.Dispose();
        }

        foreach (var buffer in Outputs)
        {
            buffer?.Dispose();
        }

        RunOptions.Dispose();
    }
}
