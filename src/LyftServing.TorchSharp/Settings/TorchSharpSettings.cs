using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace LyftServing.TorchSharp;

/// <summary>
/// The TorchSharp settings of one model: set in code with <c>ConfigureTorchSharp</c>, per version in
/// <c>model.json</c>'s <c>properties</c>, and per model in configuration
/// (<c>ModelServing:Models:{model}:TorchSharp</c>, which wins); unknown keys are rejected and the
/// values checked at start-up and at each load, with errors naming the key.
/// </summary>
/// <remarks>
/// Example <c>model.json</c> of the <c>torchscript</c> runtime:
/// <c>{"runtime": "torchscript", "properties": {"inputs": [{"name": "features", "dtype": "float32", "shape": [-1, 8]}], "outputs": ["score"]}}</c>.
/// <see cref="Inputs"/> and <see cref="Outputs"/> describe TorchScript files; models written in C#
/// (<see cref="TorchSharpModel{TFeatures, TOutput}"/>) read only <see cref="IntraOpThreads"/> and
/// <see cref="Device"/>. Declare a model's inputs and outputs in one place: lists set in several
/// places are joined.
/// </remarks>
public sealed partial class TorchSharpSettings : IValidatableObject
{
    /// <summary>The configuration key of these settings under a model's section: <c>TorchSharp</c>.</summary>
    public const string SectionName = "TorchSharp";

    /// <summary>
    /// Gets or sets the number of threads one call may use inside an operator (libtorch's intra-op
    /// parallelism), applied on the calling thread before each call. Default: 1, fastest for small
    /// models in a busy service, whose concurrent calls already use the cores. 0 leaves libtorch's
    /// default (one thread per physical core).
    /// </summary>
    [Range(0, 1024, ErrorMessage = "must be from 0 (libtorch's default) to 1024")]
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>
    /// Gets or sets the device the model runs on: <c>cpu</c> (default), <c>cuda</c> or <c>cuda:N</c>.
    /// CUDA needs the service to reference a CUDA build of libtorch (such as
    /// <c>libtorch-cuda-12.8-linux-x64</c>) and a GPU; otherwise the load fails with an error that says so.
    /// </summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Gets the inputs of a TorchScript model, in the order of its <c>forward</c> parameters.</summary>
    public IList<TorchScriptTensor> Inputs { get; } = [];

    /// <summary>Gets the outputs of a TorchScript model, in the order of its result (a tensor, tuple or list) or named as its keys (a dictionary).</summary>
    public IList<TorchScriptTensor> Outputs { get; } = [];

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!DevicePattern().IsMatch(Device ?? string.Empty))
        {
            yield return new ValidationResult($"Device must be cpu, cuda or cuda:N; it is '{Device}'.");
        }

        foreach (var error in Check("inputs", Inputs).Concat(Check("outputs", Outputs)))
        {
            yield return new ValidationResult(error);
        }
    }

    private static IEnumerable<string> Check(string list, IList<TorchScriptTensor> tensors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tensors.Count; i++)
        {
            var tensor = tensors[i];
            if (string.IsNullOrEmpty(tensor?.Name))
            {
                yield return $"{list}[{i}] has no name.";
                continue;
            }

            if (!names.Add(tensor.Name))
            {
                yield return $"{list}[{i}]: the name '{tensor.Name}' appears twice (declare a model's {list} in one place: model.json properties, configuration or code).";
            }

            if (tensor.DType is TensorElementType.String)
            {
                yield return $"{list}[{i}] ('{tensor.Name}'): dtype string is not a TorchScript tensor type; use float32, float64, int32, int64 or bool.";
            }

            if (tensor.Shape is { } shape && shape.Any(d => d < -1))
            {
                yield return $"{list}[{i}] ('{tensor.Name}'): shape [{string.Join(",", shape)}] has a dimension below -1; each is a size or -1 (dynamic).";
            }
        }
    }

    [GeneratedRegex("^(cpu|cuda(:[0-9]{1,3})?)$")]
    private static partial Regex DevicePattern();
}
