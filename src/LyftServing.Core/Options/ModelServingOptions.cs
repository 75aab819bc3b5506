using System.ComponentModel.DataAnnotations;

namespace LyftServing;

/// <summary>
/// Options of the model host, bound from the configuration section given to
/// <c>AddModelServing</c> (for example <c>ModelServing</c>), with unknown keys rejected and
/// validated at start-up.
/// </summary>
/// <remarks>
/// Builder calls (<c>AddModel(..., m =&gt; m.PinVersion("7"))</c>) set defaults; configuration
/// overrides them, so operators can change a model's version without a rebuild.
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

    /// <summary>Gets or sets how often models without their own <see cref="ModelOptions.PollInterval"/> check their store for new versions; <see langword="null"/> (the default) disables polling.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan? PollInterval { get; set; }

    /// <summary>Gets or sets how long a retired version may take to finish its in-flight calls before it is disposed anyway. Default: 30 seconds.</summary>
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
