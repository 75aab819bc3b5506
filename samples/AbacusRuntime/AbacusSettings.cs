using System.ComponentModel.DataAnnotations;

namespace Abacus.LyftServing;

/// <summary>The Abacus settings of a model: <c>ModelServing:Models:{model}:Abacus</c>, or a version's <c>model.json</c> properties.</summary>
public sealed class AbacusSettings
{
    public const string SectionName = "Abacus";

    /// <summary>The name of the input tensor in JSON features (<c>{"x": [[…]]}</c>).</summary>
    [Required]
    public string InputName { get; set; } = "x";

    /// <summary>The name of the output tensor.</summary>
    [Required]
    public string OutputName { get; set; } = "y";

    /// <summary>The names of the input's columns, so that callers may also send one row by name.</summary>
    public string[]? Columns { get; set; }

    /// <summary>A factor applied to every output (a stand-in for a framework's tuning knob).</summary>
    [Range(0.001, 1000)]
    public float Scale { get; set; } = 1;
}
