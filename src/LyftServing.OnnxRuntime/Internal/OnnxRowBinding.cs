using Microsoft.ML.OnnxRuntime;

namespace LyftServing.OnnxRuntime.Internal;

/// <summary>
/// The untyped path's fast lane for calls of one row, the common case of JSON callers: pooled
/// buffers bound once to an I/O binding, as on the typed path, so a call copies its inputs in,
/// runs with <c>RunWithBinding</c> and copies the outputs out, with no ONNX Runtime values to
/// create or release.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The session's lifetime owns the pool and releases it after the last call.")]
internal sealed class OnnxRowBinding
{
    private readonly OnnxSession _session;
    private readonly Slot[] _inputs;
    private readonly Slot[] _outputs;
    private readonly long[][] _outputShapes;
    private readonly ResourcePool<BindingSet> _pool;

    private OnnxRowBinding(OnnxSession session, Slot[] inputs, Slot[] outputs)
    {
        _session = session;
        _inputs = inputs;
        _outputs = outputs;
        _outputShapes = [.. outputs.Select(o => o.Shape(1))];
        _pool = new ResourcePool<BindingSet>(Math.Max(8, Environment.ProcessorCount * 2));
        session.Lifetime.Own(_pool);

        // One set up front: the first call finds it ready, and a binding that does not fit fails the load.
        _pool.Return(new BindingSet(session, inputs, outputs, rows: 1, pooledArrays: false));
    }

    /// <summary>
    /// A binding for one-row calls, or <see langword="null"/> when the shapes of a row are not known
    /// in advance: string tensors, dynamic dimensions after the first, or outputs whose first
    /// dimension is not the inputs' batch dimension.
    /// </summary>
    public static OnnxRowBinding? TryCreate(OnnxSession session)
    {
        var signature = session.Signature;
        var batch = signature.Inputs.FirstOrDefault(i => i.HasBatchDimension)?.DimensionNames[0];
        var inputs = signature.Inputs.Select(s => SlotOf(s, batch)).ToArray();
        var outputs = signature.Outputs.Select(s => SlotOf(s, batch)).ToArray();
        if (inputs.Contains(null) || outputs.Contains(null))
        {
            return null;
        }

        try
        {
            return new OnnxRowBinding(session, inputs!, outputs!);
        }
        catch (OnnxRuntimeException)
        {
            // A binding ONNX Runtime refuses only costs the fast lane: calls run without it.
            return null;
        }
    }

    public Tensors Run(TensorInputs inputs)
    {
        var set = _pool.Rent() ?? new BindingSet(_session, _inputs, _outputs, rows: 1, pooledArrays: false);
        try
        {
            for (var i = 0; i < set.Inputs.Length; i++)
            {
                set.Inputs[i].CopyFrom(inputs, i);
            }

            _session.Session.RunWithBinding(set.RunOptions, set.Binding);
            var outputs = new Tensors();
            for (var o = 0; o < set.Outputs.Length; o++)
            {
                outputs.Add(_outputs[o].Info.Name, set.Outputs[o].ToTensor(_outputShapes[o]));
            }

            return outputs;
        }
        finally
        {
            _pool.Return(set);
        }
    }

    private static Slot? SlotOf(TensorSpec spec, string? batch)
    {
        if (spec.ElementType == TensorElementType.String)
        {
            return null;
        }

        // An output's first dimension must be the inputs' batch dimension by name, or fixed.
        if (spec.HasBatchDimension && (batch is null || spec.DimensionNames[0] != batch))
        {
            return null;
        }

        long rowLength = 1;
        for (var d = spec.HasBatchDimension ? 1 : 0; d < spec.Rank; d++)
        {
            if (spec.Dimensions[d] < 0)
            {
                return null;
            }

            rowLength *= spec.Dimensions[d];
        }

        return new Slot(spec, TensorElementTypes.ClrType(spec.ElementType), checked((int)rowLength));
    }
}
