using System.ComponentModel.DataAnnotations;

namespace LyftServing;

/// <summary>
/// Options of the model host, bound from the configuration section given to
/// <c>AddModelServing</c> (for example <c>ModelServing</c>), with unknown keys rejected and
/// validated at start-up.
/// </summary>
/// <remarks>
/// Builder calls (<c>AddModel(..., m =&gt; m.PinVersion("7"))</c>) set defaults; configuration
/// overrides them, so operators can change a model's version without a rebuild. When the
/// configuration changes while the service runs, the new options are validated and applied to the
/// running models (pins, shadows, sample rates, limits, timeouts, batching, polling); an invalid
/// change is logged and the last valid options stay. Adding or removing models, their runtime or
/// store, <see cref="StoreRoot"/>, <see cref="DiscoverModels"/>, <see cref="PredictionLogCapacity"/>
/// and <see cref="ShadowOptions.QueueCapacity"/> apply at the next start.
/// </remarks>
public sealed class ModelServingOptions
{
    /// <summary>Gets or sets the default model store directory; relative paths are resolved against the host's content root. Default: <c>models</c>.</summary>
    [Required]
    public string StoreRoot { get; set; } = "models";

    /// <summary>
    /// Gets or sets whether every model folder found in <see cref="StoreRoot"/> at start-up is served,
    /// when its newest version's <c>model.json</c> names a registered runtime. Default: <see langword="false"/>.
    /// </summary>
    public bool DiscoverModels { get; set; }

    /// <summary>
    /// Gets or sets how often models without their own <see cref="ModelOptions.PollInterval"/> check
    /// their store for new versions and operators' decisions; <see langword="null"/> (the default)
    /// disables polling.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan? PollInterval { get; set; }

    /// <summary>
    /// Gets or sets how long a retired version may take to finish its in-flight calls before the
    /// host warns (log event <c>VersionDrainTimedOut</c>, metric <c>lyftserving.model.drain.overdue</c>,
    /// the version's status error). A version is never disposed while a call uses it: after the
    /// warning the host keeps waiting. Default: 30 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many prediction log records may wait for the sinks; more are dropped and counted. Default: 10,000.</summary>
    [Range(1, 10_000_000)]
    public int PredictionLogCapacity { get; set; } = 10_000;

    /// <summary>
    /// Gets or sets whether logs may contain features and outputs (for example in shadow mismatch
    /// samples). Default: <see langword="false"/>: logs name the difference's JSON path only.
    /// </summary>
    public bool LogSensitiveData { get; set; }

    /// <summary>Gets the models, by name. Keys must be valid model names (<see cref="ModelNames.Pattern"/>).</summary>
    public IDictionary<string, ModelOptions> Models { get; } = new Dictionary<string, ModelOptions>(StringComparer.Ordinal);
}
