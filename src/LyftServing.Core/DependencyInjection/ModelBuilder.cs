using LyftServing.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace LyftServing;

/// <summary>
/// Configures one model registered with <c>AddModel</c>, typed by its features and output so that
/// what depends on them (a shadow comparer, adapter settings) is checked at compile time. Every
/// call sets a default of <see cref="ModelOptions"/> that configuration
/// (<c>ModelServing:Models:{name}</c>) can override. Adapter packages add extension methods.
/// </summary>
/// <typeparam name="TFeatures">The model's features type.</typeparam>
/// <typeparam name="TOutput">The model's output type.</typeparam>
public sealed partial class ModelBuilder<TFeatures, TOutput>
{
    internal ModelBuilder(string name, IServiceCollection services)
    {
        Name = name;
        Services = services;
    }

    /// <summary>Gets the model's name.</summary>
    public string Name { get; }

    /// <summary>Gets the service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Serves the model from a store directory: versions in <c>{directory}/{model}/{version}/</c>.</summary>
    /// <param name="directory">The store root; relative paths are resolved against the host's content root.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder<TFeatures, TOutput> FromStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return Configure(o => o.Store = directory);
    }

    /// <summary>Serves the model from a custom store. The host never disposes it.</summary>
    /// <param name="store">The store.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder<TFeatures, TOutput> FromStore(IModelStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        Services.AddKeyedSingleton(Name, store);
        return this;
    }

    /// <summary>Serves the newest version in the store that loads and passes its self-tests (the default).</summary>
    /// <returns>This builder.</returns>
    public ModelBuilder<TFeatures, TOutput> UseLatestVersion() => Configure(o => o.Version = null);

    /// <summary>Serves one version, whatever else the store holds (an operator's decision recorded in the store still wins).</summary>
    /// <param name="version">The version.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder<TFeatures, TOutput> PinVersion(string version)
    {
        ModelNames.ThrowIfInvalid(version);
        return Configure(o => o.Version = version);
    }

    /// <summary>
    /// Checks the store at an interval for a newer version (promoted when it loads and passes its
    /// self-tests) and for operators' decisions made on other replicas.
    /// </summary>
    /// <param name="interval">How often to check.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder<TFeatures, TOutput> WatchForNewVersions(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        return Configure(o => o.PollInterval = interval);
    }

    /// <summary>Requires every version to have self-test cases. (Failing cases block a version whether or not this is set.)</summary>
    /// <param name="required">Whether cases must exist.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder<TFeatures, TOutput> RequireSelfTests(bool required = true) => Configure(o => o.RequireSelfTests = required);

    /// <summary>Only reports failing self-tests (logs, metrics, status) instead of blocking the version: see <see cref="ModelOptions.SelfTestsReportOnly"/>.</summary>
    /// <returns>This builder.</returns>
    public ModelBuilder<TFeatures, TOutput> ReportSelfTestsOnly() => Configure(o => o.SelfTestsReportOnly = true);

    /// <summary>Marks the model as not needed for start-up and readiness: a failed first load is logged, not fatal.</summary>
    /// <returns>This builder.</returns>
    public ModelBuilder<TFeatures, TOutput> Optional() => Configure(o => o.Required = false);

    /// <summary>Configures the model's options in code.</summary>
    /// <param name="configure">Sets options.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder<TFeatures, TOutput> Configure(Action<ModelOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var name = Name;
        Services.Configure<ModelServingOptions>(o => configure(ModelServingOptionsSetup.GetOrAdd(o, name)));
        return this;
    }
}
