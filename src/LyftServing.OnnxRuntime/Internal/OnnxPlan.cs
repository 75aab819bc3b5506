namespace LyftServing.OnnxRuntime.Internal;

/// <summary>
/// A typed mapping compiled against one version's session: which buffers a call needs, how to fill
/// them and how to read the result. Runs single rows on pooled, pre-bound buffers and batches on
/// buffers sized for the batch.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The session's lifetime owns the pool and releases it after the last call.")]
internal sealed class OnnxPlan<TFeatures, TOutput>
{
    private readonly OnnxSession _session;
    private readonly Slot[] _inputs;
    private readonly InputMap<TFeatures>[] _inputMaps;
    private readonly Slot[] _outputs;
    private readonly OutputMap<TOutput> _output;
    private readonly ResourcePool<BindingSet> _pool;

    public OnnxPlan(OnnxSession session, Slot[] inputs, InputMap<TFeatures>[] inputMaps, Slot[] outputs, OutputMap<TOutput> output, bool batchable)
    {
        _session = session;
        _inputs = inputs;
        _inputMaps = inputMaps;
        _outputs = outputs;
        _output = output;
        IsBatchable = batchable;
        _pool = new ResourcePool<BindingSet>(Math.Max(8, Environment.ProcessorCount * 2));
        session.Lifetime.Own(_pool);

        // One set up front: the first call finds it ready, and a broken binding fails the load.
        _pool.Return(new BindingSet(session, inputs, outputs, rows: 1, pooledArrays: false));
    }

    /// <summary>Gets whether every input and output has a dynamic first dimension, so rows stack into one run.</summary>
    public bool IsBatchable { get; }

    public TOutput Predict(TFeatures features)
    {
        var session = _session;
        using var call = session.Lifetime.Enter();
        BindingSet? set = null;
        try
        {
            set = _pool.Rent() ?? new BindingSet(session, _inputs, _outputs, rows: 1, pooledArrays: false);
            var maps = _inputMaps;
            var buffers = set.Inputs;
            for (var i = 0; i < maps.Length; i++)
            {
                maps[i].Write(features, buffers[i], 0);
            }

            session.Session.RunWithBinding(set.RunOptions, set.Binding);
            return _output.Read(set.Outputs, 0);
        }
        finally
        {
            if (set is not null)
            {
                _pool.Return(set);
            }
        }
    }

    public void PredictBatch(ReadOnlySpan<TFeatures> features, Span<TOutput> outputs)
    {
        var session = _session;
        using var call = session.Lifetime.Enter();
        using var set = new BindingSet(session, _inputs, _outputs, features.Length, pooledArrays: true);
        for (var row = 0; row < features.Length; row++)
        {
            for (var i = 0; i < _inputMaps.Length; i++)
            {
                _inputMaps[i].Write(features[row], set.Inputs[i], row);
            }
        }

        session.Session.RunWithBinding(set.RunOptions, set.Binding);
        for (var row = 0; row < features.Length; row++)
        {
            outputs[row] = _output.Read(set.Outputs, row);
        }
    }
}
