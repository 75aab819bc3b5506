using System.ComponentModel.DataAnnotations;

namespace LyftServing;

/// <summary>The prediction log of a model (configuration: <c>ModelServing:Models:{name}:PredictionLog</c>).</summary>
/// <remarks>
/// Sampled records of features, output, version, latency and trace id are written off the hot
/// path to the registered <see cref="IPredictionSink"/>s. Features and outputs are recorded only
/// for models whose <see cref="SampleRate"/> is above zero.
/// </remarks>
public sealed class PredictionLogOptions
{
    /// <summary>Gets or sets the share of calls recorded, from 0 (off, the default) to 1.</summary>
    [Range(0d, 1d)]
    public double SampleRate { get; set; }
}
