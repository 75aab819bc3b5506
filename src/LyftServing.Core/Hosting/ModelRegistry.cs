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
/// singletons. Each model has one lifecycle; this class finds it and hands it the call.
/// </summary>
internal sealed class ModelRegistry : IModelProvider, IModelManager
{
    private static readonly ModelVersionState[] States = Enum.GetValues<ModelVersionState>();

    private readonly IServiceProvider _services;
    private readonly ModelServingMetrics _metrics;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _timeProvider;
    private readonly JsonSerializerOptions _json;
    private readonly string _contentRoot;
    private readonly PredictionLogWriter _predictionLog;
    private readonly StoreLocations _storeLocations;
    private readonly Dictionary<string, ModelOptions> _discoveredOptions = new(StringComparer.Ordinal);

    // Replaced (never mutated) when discovery adds models at start-up.
    private Dictionary<string, IModelLifecycle> _models;
    private string[] _names;

    public ModelRegistry(
        IServiceProvider services,
        IOptionsMonitor<ModelServingOptions> options,
        IOptions<ModelJsonOptions> jsonOptions,
        IEnumerable<ModelRegistration> registrations,
        IEnumerable<ModelRuntimeRegistration> runtimes,
        ModelServingMetrics metrics,
        PredictionLogWriter predictionLog,
        StoreLocations storeLocations,
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider)
    {
        _services = services;
        _storeLocations = storeLocations;
        Options = options.CurrentValue;
        Runtimes = runtimes.ToDictionary(r => r.Name, StringComparer.Ordinal);
        _metrics = metrics;
        _predictionLog = predictionLog;
        _loggerFactory = loggerFactory;
        Logger = loggerFactory.CreateLogger("LyftServing.ModelRegistry");
        _timeProvider = timeProvider;
        _json = jsonOptions.Value.SerializerOptions;
        _json.MakeReadOnly(populateMissingResolver: true);
        _contentRoot = services.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory();

        var registered = registrations.ToDictionary(r => r.Name, StringComparer.Ordinal);
        _models = new Dictionary<string, IModelLifecycle>(StringComparer.Ordinal);
        foreach (var (name, model) in Options.Models)
        {
            var registration = registered.GetValueOrDefault(name) ?? Runtimes[model.Runtime!].CreateRegistration(name);
            _models[name] = Create(registration, model, store: null);
        }

        _names = [.. _models.Keys.Order(StringComparer.Ordinal)];
        metrics.Meter.CreateObservableGauge(
            "lyftserving.model.versions",
            ObserveVersions,
            unit: "{version}",
            description: "Versions of each model by state (loading, self_testing, ready, draining, failed).");
        metrics.Meter.CreateObservableGauge(
            "lyftserving.model.store.stale",
            ObserveStale,
            unit: "{model}",
            description: "1 while the model's store cannot be read (it keeps serving what it has, but sees no new versions or decisions), else 0.");
        metrics.Meter.CreateObservableUpDownCounter(
            "lyftserving.inference.active",
            ObserveActive,
            unit: "{request}",
            description: "Predictions in flight, by model, version and role.");
    }

    /// <summary>Gets the options the models were started with, or last changed to (live configuration).</summary>
    public ModelServingOptions Options { get; private set; }

    public IReadOnlyDictionary<string, ModelRuntimeRegistration> Runtimes { get; }

    public ILogger Logger { get; }

    public IReadOnlyList<string> ModelNames => _names;

    public IReadOnlyCollection<IModelLifecycle> Models => Volatile.Read(ref _models).Values;

    /// <summary>Gets the store of models that name none of their own: the shared store object, else the store root (a directory or a registered store's URI).</summary>
    public IModelStore DefaultStore =>
        _services.GetService<IModelStore>() ?? _storeLocations.Get(Options.StoreRoot, _contentRoot);

    public IModelClient<TFeatures, TOutput> GetClient<TFeatures, TOutput>(string modelName)
    {
        var model = Get(modelName);
        return model.JsonClient as IModelClient<TFeatures, TOutput>
            ?? throw new InvalidOperationException(
                $"Model '{modelName}' takes {model.FeaturesType.Name} and returns {model.OutputType.Name}; it was requested as IModelClient<{typeof(TFeatures).Name}, {typeof(TOutput).Name}>.");
    }

    public bool TryGetJsonClient(string modelName, [NotNullWhen(true)] out IJsonModelClient? client)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        client = Volatile.Read(ref _models).GetValueOrDefault(modelName)?.JsonClient;
        return client is not null;
    }

    public IReadOnlyList<ModelStatus> GetStatus() => [.. _names.Select(n => _models[n].GetStatus())];

    public ModelStatus GetStatus(string modelName) => Get(modelName).GetStatus();

    public IChangeToken GetChangeToken(string modelName) => Get(modelName).GetChangeToken();

    public Task<ModelVersionStatus> LoadVersionAsync(string modelName, string version, CancellationToken cancellationToken = default) =>
        Get(modelName).LoadVersionAsync(version, cancellationToken);

    public Task PromoteAsync(string modelName, string version, CancellationToken cancellationToken = default) =>
        Get(modelName).PromoteAsync(version, cancellationToken);

    public Task PinAsync(string modelName, string version, CancellationToken cancellationToken = default) =>
        Get(modelName).PinAsync(version, cancellationToken);

    public Task UnpinAsync(string modelName, CancellationToken cancellationToken = default) =>
        Get(modelName).UnpinAsync(cancellationToken);

    public Task<ModelVersionStatus> SetShadowAsync(string modelName, string version, double? sampleRate = null, CancellationToken cancellationToken = default) =>
        Get(modelName).ShadowAsync(version, sampleRate, cancellationToken);

    public Task<string> RollBackAsync(string modelName, CancellationToken cancellationToken = default) =>
        Get(modelName).RollBackAsync(cancellationToken);

    public Task UnloadVersionAsync(string modelName, string version, CancellationToken cancellationToken = default) =>
        Get(modelName).UnloadVersionAsync(version, cancellationToken);

    public Task RefreshAsync(string modelName, CancellationToken cancellationToken = default) =>
        Get(modelName).RefreshAsync(cancellationToken);

    /// <summary>Adds models found at start-up (<see cref="ModelServingOptions.DiscoverModels"/>), before any starts.</summary>
    public void Add(IEnumerable<IModelLifecycle> discovered)
    {
        var models = new Dictionary<string, IModelLifecycle>(_models, StringComparer.Ordinal);
        foreach (var model in discovered)
        {
            models[model.Name] = model;
        }

        _names = [.. models.Keys.Order(StringComparer.Ordinal)];
        Volatile.Write(ref _models, models);
    }

    /// <summary>Gives every model the new options (live configuration); models the options do not name keep theirs.</summary>
    public void Apply(ModelServingOptions options)
    {
        Options = options;
        foreach (var model in Models)
        {
            if (options.Models.TryGetValue(model.Name, out var modelOptions) || _discoveredOptions.TryGetValue(model.Name, out modelOptions))
            {
                model.ApplyOptions(options, modelOptions);
            }
        }
    }

    public IModelLifecycle Create(ModelRegistration registration, ModelOptions options, IModelStore? store)
    {
        var name = registration.Name;
        if (store is not null)
        {
            _discoveredOptions[name] = options;
        }

        var context = new ModelContext
        {
            Name = name,
            Runtime = registration.Runtime ?? options.Runtime,
            Required = options.Required,
            Store = store ?? ResolveStore(name, options),
            Services = _services,
            Logger = _loggerFactory.CreateLogger("LyftServing.Model." + name),
            Metrics = _metrics,
            TimeProvider = _timeProvider,
            Json = _json,
            PredictionLog = _predictionLog,
            LogSensitiveData = Options.LogSensitiveData,
        };
        return registration.CreateLifecycle(context, Options, options);
    }

    private IModelLifecycle Get(string modelName)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        return Volatile.Read(ref _models).GetValueOrDefault(modelName) ?? throw new ModelNotFoundException(modelName);
    }

    /// <summary>The model's own store object, else its store path, else the default store.</summary>
    private IModelStore ResolveStore(string name, ModelOptions model) =>
        _services.GetKeyedService<IModelStore>(name)
        ?? (model.Store is { } location ? _storeLocations.Get(location, _contentRoot) : null)
        ?? DefaultStore;

    private IEnumerable<Measurement<int>> ObserveVersions()
    {
        Span<int> counts = stackalloc int[States.Length];
        var measurements = new List<Measurement<int>>();
        foreach (var model in Models)
        {
            counts.Clear();
            model.CountVersions(counts);
            foreach (var state in States)
            {
                measurements.Add(new Measurement<int>(
                    counts[(int)state],
                    new KeyValuePair<string, object?>(ModelServingTelemetry.ModelNameTag, model.Name),
                    new KeyValuePair<string, object?>(ModelServingTelemetry.StateTag, StateName(state))));
            }
        }

        return measurements;
    }

    private IEnumerable<Measurement<int>> ObserveStale() =>
        [.. Models.Select(m => new Measurement<int>(m.StoreUnreachableSince is null ? 0 : 1, new KeyValuePair<string, object?>(ModelServingTelemetry.ModelNameTag, m.Name)))];

    private IEnumerable<Measurement<long>> ObserveActive()
    {
        var measurements = new List<Measurement<long>>();
        foreach (var model in Models)
        {
            model.ObserveActive(measurements);
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
