using System.ComponentModel;

namespace LyftServing.TorchSharp;

/// <summary>
/// An input or output of a TorchScript model, as <c>model.json</c>'s <c>properties</c> (or
/// configuration, or code) declares it, since a TorchScript file does not name or type them:
/// <c>{"name": "features", "dtype": "float32", "shape": [-1, 8]}</c>, or only its name
/// (<c>"score"</c>).
/// </summary>
/// <remarks>
/// Inputs are passed to <c>forward</c> by position, in the declared order; outputs are mapped by
/// position (a tensor, or a tuple or list of tensors) or by key (a dictionary of tensors). When
/// every input has a shape whose dimensions after the first are fixed, the load runs the model
/// once on zeros of the declared types and shapes, so a declaration that disagrees with the file
/// fails the load, and the outputs' types and shapes come from that run.
/// </remarks>
// The converter by name, resolved in this type's assembly: with typeof(…) the attribute holds an
// assembly-qualified name that TypeDescriptor cannot resolve when this package is loaded into
// another load context (as `lyftserving test --runtime` does), and "score" would not bind.
[TypeConverter("LyftServing.TorchSharp.Internal.TorchScriptTensorConverter")]
public sealed class TorchScriptTensor
{
    /// <summary>Gets or sets the name: the input's name in JSON features, or the output's name in the result (for a dictionary output, also its key).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets the element type: <c>float32</c>, <c>float64</c>, <c>int32</c>, <c>int64</c> or <c>bool</c>.
    /// Inputs default to <c>float32</c>; outputs default to what the load's check run returns, else <c>float32</c>.
    /// </summary>
    public TensorElementType? DType { get; set; }

    /// <summary>
    /// Gets or sets the dimensions, -1 for a dynamic one; the first is the batch dimension when it is -1.
    /// Inputs default to <c>[-1, -1]</c> (rows of any length); outputs default to what the load's check run returns, else <c>[-1, -1]</c>.
    /// </summary>
#pragma warning disable CA1819 // A settings property bound from configuration and model.json, as the shape is written there.
    public long[]? Shape { get; set; }
#pragma warning restore CA1819

    /// <summary>Describes the declaration, such as <c>features (float32, [-1,8])</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        $"{Name} ({(DType is { } type ? type.Name() : "dtype not declared")}, {(Shape is null ? "shape not declared" : "[" + string.Join(",", Shape) + "]")})";
}
