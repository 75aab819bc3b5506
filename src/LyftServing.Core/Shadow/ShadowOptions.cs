using System.ComponentModel.DataAnnotations;

namespace LyftServing;

/// <summary>Shadow evaluation of a model (configuration: <c>ModelServing:Models:{name}:Shadow</c>).</summary>
/// <remarks>
/// A shadow version sees a copy of a sampled share of the primary's calls after the primary has
/// answered, on a bounded background queue; its answers are compared with the primary's and
/// recorded, never returned. A full queue drops the copy and counts it; the caller never waits.
/// </remarks>
public sealed class ShadowOptions
{
    /// <summary>
    /// Gets the versions to load as shadows. A shadowed version is never promoted automatically: the
    /// newest version that is not a shadow serves.
    /// </summary>
    public IList<string> Versions { get; } = [];

    /// <summary>Gets the sample rate of individual shadow versions, overriding <see cref="SampleRate"/> (configuration: <c>Shadow:SampleRates:{version}</c>).</summary>
    public IDictionary<string, double> SampleRates { get; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets whether a version newer than the primary, found by polling or a refresh, is
    /// loaded as a shadow instead of being promoted (promote it with <c>IModelManager.PromoteAsync</c>
    /// once its comparisons look right). Default: <see langword="false"/>.
    /// </summary>
    public bool LatestCandidate { get; set; }

    /// <summary>Gets or sets the share of the primary's calls copied to each shadow without a rate of its own (<see cref="SampleRates"/>), from 0 to 1. Default: 1.</summary>
    [Range(0d, 1d)]
    public double SampleRate { get; set; } = 1;

    /// <summary>Gets or sets how many copied calls may wait for the shadows; more are dropped and counted. Default: 1024.</summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 1024;

    /// <summary>Gets or sets the tolerance for numbers when comparing outputs. Default: 1e-5.</summary>
    [Range(0d, double.MaxValue)]
    public double Tolerance { get; set; } = 1e-5;

    /// <summary>Gets or sets how many mismatches per minute are logged as samples. Default: 10.</summary>
    [Range(0, 10_000)]
    public int MismatchLogsPerMinute { get; set; } = 10;
}
