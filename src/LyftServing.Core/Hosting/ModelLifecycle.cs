using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Primitives;

namespace LyftServing.Internal;

/// <summary>
/// One model's lifecycle: it alone changes the model's serving snapshot and its status records.
/// Control operations (start, refresh, operator actions) run one at a time; each asks the
/// <see cref="VersionPolicy"/> what should serve, loads what is missing (<see cref="VersionLoader{TFeatures, TOutput}"/>),
/// publishes a new snapshot, and hands what no longer serves to <see cref="Retirements{TFeatures, TOutput}"/>.
/// Calls never wait for any of it: they read the current snapshot.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2213:Disposable fields should be disposed", Justification = "A load that ignores its token may still hold the gate and the stopping token after stop; the GC takes them.")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "A load that ignores its token may still hold the gate and the stopping token after stop; the GC takes them.")]
internal sealed partial class ModelLifecycle<TFeatures, TOutput> : IModelLifecycle
{
    private const int MaxHistory = 100;

    private readonly ModelContext _context;
    private readonly ServingCell<TFeatures, TOutput> _serving = new();
    private readonly StatusBook _status = new();
    private readonly VersionMemory _memory = new();
    private readonly VersionLoader<TFeatures, TOutput> _loader;
    private readonly Retirements<TFeatures, TOutput> _retirements;
    private readonly PipelineBuilder<TFeatures, TOutput> _pipelines;
    private readonly DecisionStore _decisions;
    private readonly ModelPoller _poller;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _publishLock = new();
    private readonly Lock _stopLock = new();
    private readonly List<string> _history = [];
    private readonly HashSet<string> _warnedNames = new(StringComparer.Ordinal);
    private volatile ModelServingOptions _servingOptions;
    private volatile ModelOptions _options;
    private volatile ModelDecision _decision = ModelDecision.None;
    private string? _decisionStamp;
    private volatile StrongBox<DateTimeOffset>? _storeUnreachable;
    private Task? _stopped;
    private bool _isStopped;
    private volatile bool _started;

    public ModelLifecycle(ModelContext context, ModelServingOptions servingOptions, ModelOptions options, Func<IServiceProvider, IModel<TFeatures, TOutput>> factory)
    {
        _context = context;
        _servingOptions = servingOptions;
        _options = options;
        var featuresInfo = (JsonTypeInfo<TFeatures>)context.Json.GetTypeInfo(typeof(TFeatures));
        var outputInfo = (JsonTypeInfo<TOutput>)context.Json.GetTypeInfo(typeof(TOutput));
        var predict = new PredictStage<TFeatures, TOutput>(context, _serving);
        _pipelines = new PipelineBuilder<TFeatures, TOutput>(context, _serving, predict, outputInfo);
        Client = new ModelClient<TFeatures, TOutput>(context.Name, _serving, predict, featuresInfo, outputInfo);
        _loader = new VersionLoader<TFeatures, TOutput>(context, _status, _memory, factory);
        _retirements = new Retirements<TFeatures, TOutput>(context, _status);
        _decisions = new DecisionStore(context.Store, context.Name, context.TimeProvider);
        _poller = new ModelPoller(context.TimeProvider, PollOnceAsync);
        _serving.Publish(ServingSnapshot<TFeatures, TOutput>.Empty.With(_pipelines.Build(options, hasShadows: false)));
    }

    public ModelClient<TFeatures, TOutput> Client { get; }

    public IJsonModelClient JsonClient => Client;

    public string Name => _context.Name;

    public bool Required => _context.Required;

    public Type FeaturesType => typeof(TFeatures);

    public Type OutputType => typeof(TOutput);

    public DateTimeOffset? StoreUnreachableSince => _storeUnreachable?.Value;

    private TimeSpan DrainTimeout => _options.DrainTimeout ?? _servingOptions.DrainTimeout;

    public Task StartAsync(CancellationToken cancellationToken) =>
        RunExclusiveAsync(
            async ct =>
            {
                await ApplyPolicyAsync(starting: true, ct).ConfigureAwait(false);
                _started = true;
            },
            cancellationToken);

    public void StartPolling() => _poller.Set(_options.PollInterval ?? _servingOptions.PollInterval, _stopping.Token);

    public void ApplyOptions(ModelServingOptions servingOptions, ModelOptions options)
    {
        _servingOptions = servingOptions;
        _options = options;
        lock (_publishLock)
        {
            if (!_isStopped)
            {
                var current = _serving.Current;
                Publish(current.Primary, current.Versions, current.Shadows);
            }
        }

        if (_started)
        {
            // Pins, shadows and their rates may have changed: apply the policy as a poll would.
            StartPolling();
            _ = PollOnceAsync();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_stopLock)
        {
            return _stopped ??= StopCoreAsync(cancellationToken);
        }
    }

    public ModelStatus GetStatus()
    {
        var snapshot = _serving.Current;
        return new ModelStatus
        {
            Name = Name,
            Runtime = _context.Runtime,
            Required = Required,
            PrimaryVersion = snapshot.Primary?.Version,
            Versions = _status.GetVersions(),
            Shadows = [.. snapshot.Shadows
                .Select(s => s.Version.ShadowStats?.ToStatus(s.Version.Version, s.SampleRate))
                .OfType<ShadowStatus>()],
            LastError = _status.LastError,
            Decision = ReferenceEquals(_decision, ModelDecision.None) ? null : _decision,
            StoreUnreachableSince = StoreUnreachableSince,
        };
    }

    public IChangeToken GetChangeToken() => _status.GetChangeToken();

    public void CountVersions(Span<int> byState) => _status.Count(byState);

    public void ObserveActive(List<Measurement<long>> measurements)
    {
        var snapshot = _serving.Current;
        foreach (var version in snapshot.Versions)
        {
            var role = version == snapshot.Primary ? "primary" : snapshot.IsShadow(version) ? "shadow" : "direct";
            measurements.Add(new(version.InFlight, ModelServingMetrics.Tags(Name, version.Version, role)));
        }

        _retirements.Observe(measurements);
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        // Loads that honour their token give up; one that does not is discarded when it ends.
        await _stopping.CancelAsync().ConfigureAwait(false);
        _poller.Set(null, _stopping.Token);
        try
        {
            // Queued batch rows still run on the primary, and queued shadow copies still compare.
            await _pipelines.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        ServingSnapshot<TFeatures, TOutput> last;
        lock (_publishLock)
        {
            _isStopped = true;
            last = _serving.Current;
            _serving.Publish(ServingSnapshot<TFeatures, TOutput>.Stopped);
        }

        Log.HostStopping(_context.Logger, Name, last.Versions.Length);
        foreach (var version in last.Versions)
        {
            _retirements.Retire(version, DrainTimeout);
        }

        try
        {
            await _retirements.WhenAllRetiredAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            foreach (var version in _retirements.Draining)
            {
                Log.VersionLeftInUse(_context.Logger, Name, version.Version, version.InFlight);
            }
        }
    }

    /// <returns>Whether the store could be read (the poller backs off while it cannot).</returns>
    private async Task<bool> PollOnceAsync()
    {
        var stopping = _stopping.Token;
        try
        {
            await RunExclusiveAsync(ct => ApplyPolicyAsync(starting: false, ct), stopping).ConfigureAwait(false);
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // Stopping: nothing to apply any more.
        }
        catch (ModelLoadException)
        {
            // Already recorded and logged; the current primary keeps serving.
        }
        catch (Exception ex)
        {
            Log.PollFailed(_context.Logger, Name, ex);
        }

        return _storeUnreachable is null;
    }

    private async Task RunExclusiveAsync(Func<CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        try
        {
            await _gate.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ModelNotReadyException(Name, $"Model '{Name}' is stopping; no further versions are loaded.");
        }

        try
        {
            await operation(linked.Token).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private ModelLoadException NoVersion(string message, Exception? cause = null)
    {
        var failure = new ModelLoadException(Name, null, message, cause);
        _status.SetError(_context.ToError(failure));
        Log.NoVersionToServe(_context.Logger, Name, message);
        return failure;
    }

    private string? RecordedHash(string version) => _decision.PrimaryVersion == version ? _decision.ContentHash : null;
}
