using LyftServing.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace LyftServing;

/// <summary>
/// Configures one model registered with <c>AddModel</c>. Every call sets a default of
/// <see cref="ModelOptions"/> that configuration (<c>ModelServing:Models:{name}</c>) can override.
/// </summary>
public sealed partial class ModelBuilder
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
    public ModelBuilder FromStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return Configure(o => o.Store = directory);
    }

    /// <summary>Serves the model from a custom store. The host never disposes it.</summary>
    /// <param name="store">The store.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder FromStore(IModelStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        Services.AddKeyedSingleton(Name, store);
        return this;
    }

    /// <summary>Serves the newest version in the store (the default).</summary>
    /// <returns>This builder.</returns>
    public ModelBuilder UseLatestVersion() => Configure(o => o.Version = null);

    /// <summary>Serves one version, whatever else the store holds.</summary>
    /// <param name="version">The version.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder PinVersion(string version)
    {
        ModelNames.ThrowIfInvalid(version);
        return Configure(o => o.Version = version);
    }

    /// <summary>Checks the store for a newer version at an interval and promotes it when it loads and passes its self-tests.</summary>
    /// <param name="interval">How often to check.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder WatchForNewVersions(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        return Configure(o => o.PollInterval = interval);
    }

    /// <summary>Requires every version to have self-test cases and pass them before it may serve.</summary>
    /// <param name="required">Whether self-tests gate promotion.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder RequireSelfTests(bool required = true) => Configure(o => o.RequireSelfTests = required);

    /// <summary>Marks the model as not needed for start-up and readiness: a failed first load is logged, not fatal.</summary>
    /// <returns>This builder.</returns>
    public ModelBuilder Optional() => Configure(o => o.Required = false);

    /// <summary>Configures the model's options in code.</summary>
    /// <param name="configure">Sets options.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder Configure(Action<ModelOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var name = Name;
        Services.Configure<ModelServingOptions>(o => configure(ModelServingOptionsSetup.GetOrAdd(o, name)));
        return this;
    }
}
