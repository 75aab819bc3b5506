using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace LyftServing.Internal;

/// <summary>
/// All served models by name: the <see cref="IModelProvider"/> and <see cref="IModelManager"/>
/// singletons. Starts every model's host at start-up (strictly) and stops them at shutdown.
/// </summary>
internal sealed class ModelRegistry : IModelProvider, IModelManager, IDisposable
{
    private static readonly ModelVersionState[] States = Enum.GetValues<ModelVersionState>();

    private readonly IServiceProvider _services;
    private readonly ModelServingOptions _options;
    private readonly Dictionary<string, ModelRuntimeRegistration> _runtimes;
    private readonly ModelServingMetrics _metrics;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly JsonSerializerOptions _json;
    private readonly string _contentRoot;
    private readonly PredictionLogWriter _predictionLog;

    // Replaced (never mutated) when discovery adds models at start-up.
    private Dictionary<string, ModelHost> _hosts;
    private string[] _names;

    public ModelRegistry(
        IServiceProvider services,
        IOptions<ModelServingOptions> options,
        IOptions<ModelJsonOptions> jsonOptions,
        IEnumerable<ModelRegistration> registrations,
        IEnumerable<ModelRuntimeRegistration> runtimes,
        ModelServingMetrics metrics,
        PredictionLogWriter predictionLog,
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider)
    {
        _predictionLog = predictionLog;
        _services = services;
        _options = options.Value;
        _runtimes = runtimes.ToDictionary(r => r.Name, StringComparer.Ordinal);
        _metrics = metrics;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("LyftServing.ModelRegistry");
        _timeProvider = timeProvider;
        _json = jsonOptions.Value.SerializerOptions;
        _json.MakeReadOnly(populateMissingResolver: true);
        _contentRoot = services.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory();

        var registered = registrations.ToDictionary(r => r.Name, StringComparer.Ordinal);
        _hosts = new Dictionary<string, ModelHost>(StringComparer.Ordinal);
        foreach (var (name, model) in _options.Models)
        {
            var registration = registered.GetValueOrDefault(name) ?? _runtimes[model.Runtime!].CreateRegistration(name);
            _hosts[name] = registration.CreateHost(CreateContext(name, model));
        }

        _names = [.. _hosts.Keys.Order(StringComparer.Ordinal)];
        metrics.Meter.CreateObservableGauge(
            "lyftserving.model.versions",
            ObserveVersions,
            unit: "{version}",
            description: "Versions of each model by state (loading, self_testing, ready, draining, failed).");
        metrics.Meter.CreateObservableUpDownCounter(
            "lyftserving.inference.active",
            ObserveActive,
            unit: "{request}",
            description: "Predictions in flight, by model, version and role.");
    }

    public IReadOnlyList<string> ModelNames => _names;

    public IModelClient<TFeatures, TOutput> GetClient<TFeatures, TOutput>(string modelName)
    {
        var host = GetHost(modelName);
        return host as IModelClient<TFeatures, TOutput>
            ?? throw new InvalidOperationException(
                $"Model '{modelName}' takes {host.FeaturesType.Name} and returns {host.OutputType.Name}; it was requested as IModelClient<{typeof(TFeatures).Name}, {typeof(TOutput).Name}>.");
    }

    public bool TryGetJsonClient(string modelName, [NotNullWhen(true)] out IJsonModelClient? client)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        client = Volatile.Read(ref _hosts).GetValueOrDefault(modelName) as IJsonModelClient;
        return client is not null;
    }

    public IReadOnlyList<ModelStatus> GetStatus() => [.. _names.Select(n => _hosts[n].GetStatus())];

    public ModelStatus GetStatus(string modelName) => GetHost(modelName).GetStatus();

    public IChangeToken GetChangeToken(string modelName) => GetHost(modelName).GetChangeToken();

    public Task<ModelVersionStatus> LoadVersionAsync(string modelName, string version, CancellationToken cancellationToken = default) =>
        GetHost(modelName).LoadVersionAsync(version, cancellationToken);

    public Task PromoteAsync(string modelName, string version, CancellationToken cancellationToken = default) =>
        GetHost(modelName).PromoteAsync(version, cancellationToken);

    public Task<ModelVersionStatus> SetShadowAsync(string modelName, string version, CancellationToken cancellationToken = default) =>
        GetHost(modelName).ShadowAsync(version, cancellationToken);

    public Task<string> RollBackAsync(string modelName, CancellationToken cancellationToken = default) =>
        GetHost(modelName).RollBackAsync(cancellationToken);

    public Task UnloadVersionAsync(string modelName, string version, CancellationToken cancellationToken = default) =>
        GetHost(modelName).UnloadVersionAsync(version, cancellationToken);

    public Task RefreshAsync(string modelName, CancellationToken cancellationToken = default) =>
        GetHost(modelName).RefreshAsync(cancellationToken);

    /// <summary>
    /// Discovers models (when enabled) and loads every model's first version, in parallel.
    /// A required model that cannot serve stops the start with its error; an optional one is logged.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _predictionLog.Start();
        if (_options.DiscoverModels)
        {
            await DiscoverAsync(cancellationToken).ConfigureAwait(false);
        }

        var hosts = _hosts.Values.ToArray();
        var starts = hosts.Select(h => h.StartAsync(cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(starts).ConfigureAwait(false);
        }
        catch
        {
            // Inspected below, model by model.
        }

        var failures = new List<Exception>();
        for (var i = 0; i < hosts.Length; i++)
        {
            if (starts[i].Exception?.InnerException is not { } error)
            {
                continue;
            }

            if (hosts[i].Required)
            {
                failures.Add(error);
            }
            else
            {
                Log.ModelStartFailed(_logger, hosts[i].Name, error.Message);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (failures.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failures[0]);
        }

        if (failures.Count > 1)
        {
            throw new AggregateException(
                $"{failures.Count} required models could not start: {string.Join(" ", failures.Select(f => f.Message))}",
                failures);
        }

        foreach (var host in hosts)
        {
            host.StartPolling();
        }
    }

    /// <summary>Drains and disposes every model, then writes out and flushes the prediction log.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_hosts.Values.Select(h => h.StopAsync(cancellationToken))).ConfigureAwait(false);
        await _predictionLog.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        foreach (var host in Volatile.Read(ref _hosts).Values)
        {
            host.Dispose();
        }
    }

    private ModelHost GetHost(string modelName)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        return Volatile.Read(ref _hosts).GetValueOrDefault(modelName) ?? throw new ModelNotFoundException(modelName);
    }

    private ModelHostContext CreateContext(string name, ModelOptions model) => new()
    {
        Name = name,
        Runtime = model.Runtime,
        Options = model,
        ServingOptions = _options,
        Store = ResolveStore(name, model),
        Services = _services,
        Logger = _loggerFactory.CreateLogger("LyftServing.Model." + name),
        Metrics = _metrics,
        TimeProvider = _timeProvider,
        Json = _json,
        PredictionLog = _predictionLog,
    };

    /// <summary>The model's own store object, else its store path, else the shared store object, else the store root.</summary>
    private IModelStore ResolveStore(string name, ModelOptions model) =>
        _services.GetKeyedService<IModelStore>(name)
        ?? (model.Store is { } path ? new FileSystemModelStore(Path.Combine(_contentRoot, path)) : null)
        ?? _services.GetService<IModelStore>()
        ?? new FileSystemModelStore(Path.Combine(_contentRoot, _options.StoreRoot));

    /// <summary>Adds every model folder of the store root whose newest version's <c>model.json</c> names a registered runtime.</summary>
    private async Task DiscoverAsync(CancellationToken cancellationToken)
    {
        var store = new FileSystemModelStore(Path.Combine(_contentRoot, _options.StoreRoot));
        var hosts = new Dictionary<string, ModelHost>(_hosts, StringComparer.Ordinal);
        foreach (var name in store.ListModels())
        {
            if (hosts.ContainsKey(name))
            {
                continue;
            }

            var versions = await store.ListVersionsAsync(name, cancellationToken).ConfigureAwait(false);
            var newest = versions.Select(v => v.Version).Where(LyftServing.ModelNames.IsValid).Max(VersionComparer.Instance);
            var manifestPath = newest is null ? null : Path.Combine(store.RootDirectory, name, newest, ModelArtifact.ManifestFileName);
            if (manifestPath is null || !File.Exists(manifestPath))
            {
                Log.ModelNotDiscovered(_logger, name, "its newest version has no model.json naming a runtime");
                continue;
            }

            ModelManifest manifest;
            try
            {
                manifest = ModelManifest.Parse(await File.ReadAllBytesAsync(manifestPath, cancellationToken).ConfigureAwait(false));
            }
            catch (InvalidDataException ex)
            {
                Log.ModelNotDiscovered(_logger, name, ex.Message);
                continue;
            }

            if (manifest.Runtime is null || !_runtimes.TryGetValue(manifest.Runtime, out var runtime))
            {
                Log.ModelNotDiscovered(_logger, name, $"its model.json names the runtime '{manifest.Runtime}', which is not registered");
                continue;
            }

            // Discovered models are optional: one broken folder must not stop the others.
            var options = new ModelOptions { Runtime = runtime.Name, Required = false };
            hosts[name] = runtime.CreateRegistration(name).CreateHost(CreateContext(name, options) with { Store = store });
            Log.ModelDiscovered(_logger, name, runtime.Name, store.RootDirectory);
        }

        _names = [.. hosts.Keys.Order(StringComparer.Ordinal)];
        Volatile.Write(ref _hosts, hosts);
    }

    private IEnumerable<Measurement<int>> ObserveVersions()
    {
        Span<int> counts = stackalloc int[States.Length];
        var measurements = new List<Measurement<int>>();
        foreach (var host in Volatile.Read(ref _hosts).Values)
        {
            counts.Clear();
            host.CountVersions(counts);
            foreach (var state in States)
            {
                measurements.Add(new Measurement<int>(
                    counts[(int)state],
                    new KeyValuePair<string, object?>(ModelServingTelemetry.ModelNameTag, host.Name),
                    new KeyValuePair<string, object?>(ModelServingTelemetry.StateTag, StateName(state))));
            }
        }

        return measurements;
    }

    private IEnumerable<Measurement<long>> ObserveActive()
    {
        var measurements = new List<Measurement<long>>();
        foreach (var host in Volatile.Read(ref _hosts).Values)
        {
            host.ObserveActive(measurements);
        }

        return measurements;
    }

    private static string StateName(ModelVersionState state) => state switch
    {
        ModelVersionState.Loading => "loading",
        ModelVersionState.SelfTesting => "self_testing",
        ModelVersionState.Ready => "ready",
        ModelVersionState.Draining => "draining",
        _ => "failed",
    };
}
