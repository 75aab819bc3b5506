using LyftServing.OnnxRuntime.Internal;

namespace LyftServing.OnnxRuntime;

/// <summary>
/// Maps typed features and outputs onto an ONNX model's inputs and outputs, for
/// <c>AddOnnxModel&lt;TFeatures, TOutput&gt;</c>: each input gets a writer that fills one row of it,
/// and the output (or outputs) a reader that builds the typed result from one row.
/// </summary>
/// <typeparam name="TFeatures">The model's features type.</typeparam>
/// <typeparam name="TOutput">The model's output type.</typeparam>
/// <remarks>
/// <para>
/// Every input of the model must be mapped, with the element type of the input (<see cref="float"/>,
/// <see cref="double"/>, <see cref="int"/>, <see cref="long"/> or <see cref="bool"/>); every
/// dimension after the first must be fixed. Each version checks the mapping when it loads and fails
/// the load with an error naming the input or output that does not fit.
/// </para>
/// <para>
/// Writers and readers run on the hot path, concurrently: they must be thread-safe and should not
/// allocate (a lambda that captures nothing is cached by the compiler).
/// </para>
/// </remarks>
public sealed class OnnxMappingBuilder<TFeatures, TOutput>
{
    private readonly List<InputMap<TFeatures>> _inputs = [];
    private OutputMap<TOutput>? _output;

    internal OnnxMappingBuilder(string modelName)
    {
        ModelName = modelName;
    }

    /// <summary>Gets the name of the model being mapped.</summary>
    public string ModelName { get; }

    /// <summary>Maps an input: <paramref name="write"/> fills one row of it from the features.</summary>
    /// <typeparam name="T">The input's element type: <see cref="float"/>, <see cref="double"/>, <see cref="int"/>, <see cref="long"/> or <see cref="bool"/>.</typeparam>
    /// <param name="inputName">The input's name in the ONNX model.</param>
    /// <param name="write">Writes one row: for an input of shape <c>[N,8]</c>, 8 values.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The input is already mapped.</exception>
    public OnnxMappingBuilder<TFeatures, TOutput> MapInput<T>(string inputName, OnnxInputWriter<TFeatures, T> write)
        where T : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(inputName);
        ArgumentNullException.ThrowIfNull(write);
        if (_inputs.Exists(i => i.Name == inputName))
        {
            throw new ArgumentException($"Input '{inputName}' of model '{ModelName}' is already mapped.", nameof(inputName));
        }

        _inputs.Add(new InputMap<TFeatures, T>(inputName, write));
        return this;
    }

    /// <summary>Maps the output from one ONNX output: <paramref name="read"/> builds it from one row of that output.</summary>
    /// <typeparam name="T">The output's element type: <see cref="float"/>, <see cref="double"/>, <see cref="int"/>, <see cref="long"/> or <see cref="bool"/>.</typeparam>
    /// <param name="outputName">The output's name in the ONNX model.</param>
    /// <param name="read">Builds the typed output from one row: for an output of shape <c>[N,1]</c>, 1 value.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">The output is already mapped.</exception>
    public OnnxMappingBuilder<TFeatures, TOutput> MapOutput<T>(string outputName, OnnxOutputReader<T, TOutput> read)
        where T : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(outputName);
        ArgumentNullException.ThrowIfNull(read);
        ThrowIfOutputMapped();
        _output = new SingleOutputMap<TOutput, T>(outputName, read);
        return this;
    }

    /// <summary>Maps the output from several ONNX outputs: <paramref name="read"/> builds it from one row of each.</summary>
    /// <param name="read">Builds the typed output; <see cref="OnnxOutputRow.Get{T}(string)"/> gives each output's values.</param>
    /// <param name="outputNames">The outputs to compute and read; none means all of the model's outputs.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">The output is already mapped.</exception>
    public OnnxMappingBuilder<TFeatures, TOutput> MapOutputs(OnnxOutputsReader<TOutput> read, params string[] outputNames)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(outputNames);
        ThrowIfOutputMapped();
        _output = new MultiOutputMap<TOutput>(outputNames, read);
        return this;
    }

    internal OnnxMapping<TFeatures, TOutput> Build()
    {
        if (_inputs.Count == 0)
        {
            throw new InvalidOperationException($"The ONNX mapping of model '{ModelName}' maps no input; call MapInput for each input of the model.");
        }

        return _output is null
            ? throw new InvalidOperationException($"The ONNX mapping of model '{ModelName}' maps no output; call MapOutput or MapOutputs.")
            : new OnnxMapping<TFeatures, TOutput>(ModelName, [.. _inputs], _output);
    }

    private void ThrowIfOutputMapped()
    {
        if (_output is not null)
        {
            throw new InvalidOperationException($"The output of model '{ModelName}' is already mapped; call MapOutput or MapOutputs once (MapOutputs reads several ONNX outputs).");
        }
    }
}
