using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace LyftServing.Internal;

/// <summary>
/// Applies configuration changes to the running models. On every reload of the configuration given
/// to <c>AddModelServing</c>, new options are built and validated by the same factory that
/// <see cref="IOptionsMonitor{TOptions}"/> uses; valid ones become the monitor's current value and
/// go to every model; invalid ones are logged and the last valid options stay.
/// </summary>
/// <remarks>
/// The host subscribes to the configuration itself rather than to <c>IOptionsMonitor.OnChange</c>:
/// the monitor validates inside the configuration's reload callback and would throw there (on a
/// file watcher's thread) instead of keeping the last good options.
/// </remarks>
internal sealed class LiveOptions(
    ModelRegistry registry,
    IOptionsFactory<ModelServingOptions> factory,
    IOptionsMonitorCache<ModelServingOptions> monitorCache,
    IEnumerable<ModelServingConfiguration> configurations)
{
    private readonly Lock _lock = new();
    private readonly List<IDisposable> _subscriptions = [];

    public void Start()
    {
        lock (_lock)
        {
            foreach (var configuration in configurations)
            {
                _subscriptions.Add(ChangeToken.OnChange(configuration.Section.GetReloadToken, Reload));
            }
        }
    }

    public void Stop()
    {
        lock (_lock)
        {
            _subscriptions.ForEach(s => s.Dispose());
            _subscriptions.Clear();
        }
    }

    private void Reload()
    {
        lock (_lock)
        {
            if (_subscriptions.Count == 0)
            {
                return;
            }

            ModelServingOptions next;
            try
            {
                next = factory.Create(Options.DefaultName);
            }
            catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException or FormatException)
            {
                Log.ConfigurationRejected(registry.Logger, ex.Message);
                return;
            }

            var restartOnly = RestartOnlyChanges(registry.Options, next);
            monitorCache.TryRemove(Options.DefaultName);
            monitorCache.TryAdd(Options.DefaultName, next);
            registry.Apply(next);
            Log.ConfigurationApplied(registry.Logger, restartOnly.Count == 0 ? "none" : string.Join(", ", restartOnly));
        }
    }

    /// <summary>The keys whose change applies only at the next start.</summary>
    private static List<string> RestartOnlyChanges(ModelServingOptions before, ModelServingOptions after)
    {
        var changed = new List<string>();
        Check(nameof(ModelServingOptions.StoreRoot), before.StoreRoot, after.StoreRoot);
        Check(nameof(ModelServingOptions.DiscoverModels), before.DiscoverModels, after.DiscoverModels);
        Check(nameof(ModelServingOptions.PredictionLogCapacity), before.PredictionLogCapacity, after.PredictionLogCapacity);
        Check(nameof(ModelServingOptions.LogSensitiveData), before.LogSensitiveData, after.LogSensitiveData);
        foreach (var name in before.Models.Keys.Union(after.Models.Keys).Order(StringComparer.Ordinal))
        {
            if (!before.Models.TryGetValue(name, out var old) || !after.Models.TryGetValue(name, out var now))
            {
                changed.Add($"Models:{name}");
                continue;
            }

            Check($"Models:{name}:Runtime", old.Runtime, now.Runtime);
            Check($"Models:{name}:Store", old.Store, now.Store);
            Check($"Models:{name}:Required", old.Required, now.Required);
            Check($"Models:{name}:Shadow:QueueCapacity", old.Shadow.QueueCapacity, now.Shadow.QueueCapacity);
        }

        return changed;

        void Check<T>(string key, T old, T now)
        {
            if (!EqualityComparer<T>.Default.Equals(old, now))
            {
                changed.Add(key);
            }
        }
    }
}
