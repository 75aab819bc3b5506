using LyftServing.Internal;

namespace LyftServing;

/// <summary>
/// What a loaded model version takes and returns: its named input and output tensors. A runtime
/// fills it from its model file (or its settings) when a version loads; feature checks use it
/// (<see cref="BindInputs"/>), and the status view (<c>GET /models</c>) shows it.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class ModelSignature
{
    /// <summary>Creates a signature.</summary>
    /// <param name="inputs">The inputs, in the model's order.</param>
    /// <param name="outputs">The outputs, in the model's order.</param>
    /// <exception cref="ArgumentException">There is no input or no output, or two inputs or two outputs share a name.</exception>
    public ModelSignature(IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        Inputs = Checked(inputs, nameof(inputs));
        Outputs = Checked(outputs, nameof(outputs));
        IsBatchable = Inputs.All(i => i.HasBatchDimension) && Outputs.All(o => o.HasBatchDimension);
    }

    /// <summary>Gets the inputs, in the model's order.</summary>
    public IReadOnlyList<TensorSpec> Inputs { get; }

    /// <summary>Gets the outputs, in the model's order.</summary>
    public IReadOnlyList<TensorSpec> Outputs { get; }

    /// <summary>Gets whether every input and output has a dynamic first (batch) dimension, so that the rows of several calls can run as one.</summary>
    public bool IsBatchable { get; }

    /// <summary>
    /// Checks features against the inputs (names, element types, ranks, fixed and shared
    /// dimensions) and converts their values to each input's element type.
    /// </summary>
    /// <param name="modelName">The model, for errors.</param>
    /// <param name="features">The features.</param>
    /// <returns>The inputs, in the order of <see cref="Inputs"/>; dispose them after the call to return the buffers they rented.</returns>
    /// <exception cref="ModelFeaturesException">The features do not fit: the message names the input, its JSON path (relative to the request for features read from JSON) and what was expected.</exception>
    public TensorInputs BindInputs(string modelName, Tensors features)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(features);
        return TensorBinder.Bind(modelName, this, features, context: string.Empty);
    }

    /// <summary>Describes the inputs for messages: <c>x (float32[N,4]), category (int64[N,1])</c>.</summary>
    internal string DescribeInputs() => string.Join(", ", Inputs.Select(i => $"{i.Name} ({i})"));

    private static TensorSpec[] Checked(IReadOnlyList<TensorSpec> specs, string parameter)
    {
        if (specs.Count == 0)
        {
            throw new ArgumentException("A model signature needs at least one input and one output.", parameter);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            ArgumentNullException.ThrowIfNull(spec, parameter);
            if (!names.Add(spec.Name))
            {
                throw new ArgumentException($"The name '{spec.Name}' appears twice.", parameter);
            }
        }

        return [.. specs];
    }
}
