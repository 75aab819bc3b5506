using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace LyftServing.Internal;

/// <summary>
/// The typed half of a model host: loads versions, swaps the primary atomically, drains and
/// disposes retired versions, and serves predictions on the hot path.
/// </summary>
internal sealed class ModelHost<TFeatures, TOutput> : ModelHost, IModelClient<TFeatures, TOutput>, IJsonModelClient
{
    private const string PrimaryRole = "primary";
    private const string DirectRole = "direct";
    private const string ShadowRole = "shadow";

    private readonly Func<IServiceProvider, IModel<TFeatures, TOutput>> _factory;
    private readonly JsonTypeInfo<TFeatures> _featuresInfo;
    private readonly JsonTypeInfo<TOutput> _outputInfo;
    private readonly string _activityName;
    private readonly Lock _retiringLock = new();
    private readonly List<Task> _retiring = [];
    private readonly HashSet<LoadedVersion<TFeatures, TOutput>> _draining = [];

    // The optional stages of a call; with none configured (shadows aside), calls take the fast path.
    private readonly ConcurrencyLimiter? _limiter;
    private readonly TimeSpan? _timeout;
    private readonly DynamicBatcher<TFeatures, TOutput>? _batcher;
    private readonly PredictionLogWriter? _predictionLog;
    private readonly double _logSampleRate;
    private readonly bool _usesPipeline;
    private readonly bool _batchingOnly;
    private ShadowEvaluator<TFeatures, TOutput>? _shadows;

    // The serving state is immutable; control operations (one at a time) publish a new one and
    // the hot path reads whichever is current.
    private ServingState _serving = ServingState.Empty;

    public ModelHost(ModelHostContext context, Func<IServiceProvider, IModel<TFeatures, TOutput>> factory)
        : base(context)
    {
        _factory = factory;
        _featuresInfo = (JsonTypeInfo<TFeatures>)context.Json.GetTypeInfo(typeof(TFeatures));
        _outputInfo = (JsonTypeInfo<TOutput>)context.Json.GetTypeInfo(typeof(TOutput));
        _activityName = "predict " + context.Name;

        var options = context.Options;
        if (options.Limits.MaxConcurrency is { } maxConcurrency)
        {
            _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = maxConcurrency,
                QueueLimit = options.Limits.QueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }

        _timeout = options.Limits.Timeout;
        if (options.Batching.Enabled)
        {
            _batcher = new DynamicBatcher<TFeatures, TOutput>(context.Name, options.Batching, context.TimeProvider, ExecuteBatch);
        }

        if (options.PredictionLog.SampleRate > 0 && context.PredictionLog.HasSinks)
        {
            _predictionLog = context.PredictionLog;
            _logSampleRate = options.PredictionLog.SampleRate;
        }

        _usesPipeline = _limiter is not null || _timeout is not null || _batcher is not null || _predictionLog is not null;
        _batchingOnly = _batcher is not null && _limiter is null && _timeout is null && _predictionLog is null;
    }

    public string ModelName => Name;

    public override Type FeaturesType => typeof(TFeatures);

    public override Type OutputType => typeof(TOutput);

    protected override string? PrimaryVersion => Volatile.Read(ref _serving).Primary?.Version;

    // ---- Hot path ----

    public ValueTask<TOutput> PredictAsync(TFeatures features, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TOutput>(cancellationToken);
        }

        if (!_usesPipeline)
        {
            // The fast path: no stage that can wait, so the call runs inline and allocates nothing;
            // shadows only take a copy of the answered call.
            try
            {
                var shadows = Volatile.Read(ref _serving).Shadows;
                if (shadows.Length == 0)
                {
                    return new ValueTask<TOutput>(Run(AcquirePrimary(), features, PrimaryRole));
                }

                var started = Stopwatch.GetTimestamp();
                var output = Run(AcquirePrimary(), features, PrimaryRole);
                _shadows?.Offer(shadows, features, output, Stopwatch.GetElapsedTime(started));
                return new ValueTask<TOutput>(output);
            }
            catch (Exception ex)
            {
                return ValueTask.FromException<TOutput>(ex);
            }
        }

        if (_batchingOnly && Volatile.Read(ref _serving).Shadows.Length == 0)
        {
            // Batching is the only stage: the caller awaits its row directly.
            return _batcher!.PredictOutputAsync(features, cancellationToken);
        }

        var pending = InvokeAsync(features, version: null, cancellationToken);
        return pending.IsCompletedSuccessfully
            ? new ValueTask<TOutput>(pending.Result.Output)
            : AwaitOutputAsync(pending);

        static async ValueTask<TOutput> AwaitOutputAsync(ValueTask<(TOutput Output, string Version)> pending) => (await pending.ConfigureAwait(false)).Output;
    }

    public async ValueTask<JsonPrediction> PredictAsync(JsonElement features, string? version, string featuresPath = "$", CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var typed = JsonFeatureBinder.Bind(Name, features, featuresPath, _featuresInfo);
        var (output, answeredBy) = await InvokeAsync(typed, version, cancellationToken).ConfigureAwait(false);
        return new JsonPrediction(Name, answeredBy, output, _outputInfo);
    }

    /// <summary>
    /// A call through the configured stages: concurrency limit and queue, timeout, dynamic
    /// batching (primary calls only), then shadows and the prediction log once it has answered.
    /// Completes synchronously, without allocating, when no stage has to wait.
    /// </summary>
    private async ValueTask<(TOutput Output, string Version)> InvokeAsync(TFeatures features, string? version, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        RateLimitLease? lease = null;
        if (_limiter is not null)
        {
            lease = _limiter.AttemptAcquire();
            if (!lease.IsAcquired)
            {
                lease.Dispose();
                lease = await WaitForSlotAsync(_limiter, started, cancellationToken).ConfigureAwait(false);
            }
        }

        var leaseHandedOff = false;
        try
        {
            (TOutput Output, string Version) prediction;
            if (_timeout is { } timeout)
            {
                // Armed before the work starts, so the timeout counts from the call's start on any clock.
                using var timeoutSource = new CancellationTokenSource(Remaining(timeout, started), TimeProvider);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
                var work = version is null && _batcher is not null
                    ? _batcher.PredictAsync(features, cancellationToken).AsTask()
                    : Task.Run(() => RunOn(version, features), cancellationToken);
                try
                {
                    prediction = await work.WaitAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    // The prediction runs on; it keeps its concurrency slot until it really ends.
                    if (lease is not null)
                    {
                        leaseHandedOff = true;
                        _ = work.ContinueWith(static (_, state) => ((RateLimitLease)state!).Dispose(), lease, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    }

                    throw TimedOut(timeout);
                }
            }
            else if (version is null && _batcher is not null)
            {
                prediction = await _batcher.PredictAsync(features, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                prediction = RunOn(version, features);
            }

            var latency = Stopwatch.GetElapsedTime(started);
            if (version is null)
            {
                var shadows = Volatile.Read(ref _serving).Shadows;
                if (shadows.Length > 0)
                {
                    _shadows?.Offer(shadows, features, prediction.Output, latency);
                }
            }

            if (_predictionLog is not null && (_logSampleRate >= 1 || Random.Shared.NextDouble() < _logSampleRate))
            {
                _predictionLog.Offer(new PredictionRecord
                {
                    ModelName = Name,
                    ModelVersion = prediction.Version,
                    Role = version is null ? PrimaryRole : DirectRole,
                    Features = features,
                    Output = prediction.Output,
                    Latency = latency,
                    Timestamp = TimeProvider.GetUtcNow(),
                    TraceId = Activity.Current?.TraceId.ToHexString(),
                });
            }

            return prediction;
        }
        finally
        {
            if (!leaseHandedOff)
            {
                lease?.Dispose();
            }
        }
    }

    private async ValueTask<RateLimitLease> WaitForSlotAsync(ConcurrencyLimiter limiter, long started, CancellationToken cancellationToken)
    {
        RateLimitLease lease;
        if (_timeout is { } timeout)
        {
            using var timeoutSource = new CancellationTokenSource(Remaining(timeout, started), TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
            try
            {
                lease = await limiter.AcquireAsync(1, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw TimedOut(timeout);
            }
        }
        else
        {
            lease = await limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        }

        if (!lease.IsAcquired)
        {
            lease.Dispose();
            var overloaded = Context.Metrics.Overloaded;
            if (overloaded.Enabled)
            {
                overloaded.Add(1, new KeyValuePair<string, object?>(ModelServingTelemetry.ModelNameTag, Name));
            }

            throw new ModelOverloadedException(Name, Context.Options.Limits.RetryAfter);
        }

        return lease;
    }

    private static TimeSpan Remaining(TimeSpan timeout, long started)
    {
        var remaining = timeout - Stopwatch.GetElapsedTime(started);
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    private ModelTimeoutException TimedOut(TimeSpan timeout)
    {
        var timeouts = Context.Metrics.Timeouts;
        if (timeouts.Enabled)
        {
            timeouts.Add(1, new KeyValuePair<string, object?>(ModelServingTelemetry.ModelNameTag, Name));
        }

        return new ModelTimeoutException(Name, timeout);
    }

    /// <summary>Runs one call on the primary, or on a loaded version the caller named.</summary>
    private (TOutput Output, string Version) RunOn(string? version, TFeatures features)
    {
        var loaded = version is null ? AcquirePrimary() : AcquireVersion(version);
        var role = version is null || ReferenceEquals(loaded, Volatile.Read(ref _serving).Primary) ? PrimaryRole : DirectRole;
        return (Run(loaded, features, role), loaded.Version);
    }

    /// <summary>Runs a dynamic batch on the primary; a batch that throws is re-run row by row, so each caller gets its own answer or error.</summary>
    private string ExecuteBatch(ReadOnlySpan<TFeatures> features, Span<TOutput> outputs, Span<Exception?> errors)
    {
        var primary = AcquirePrimary();
        try
        {
            var batch = primary.Batch
                ?? throw new InvalidOperationException($"Model '{Name}' has batching enabled, but its model code does not implement IBatchModel.");
            var metrics = Context.Metrics;
            var started = Stopwatch.GetTimestamp();
            string? errorType = null;
            try
            {
                batch.PredictBatch(features, outputs);
            }
            catch (Exception ex)
            {
                errorType = ex.GetType().FullName;
                for (var i = 0; i < features.Length; i++)
                {
                    try
                    {
                        outputs[i] = primary.Model.Predict(features[i]);
                    }
                    catch (Exception rowError)
                    {
                        errors[i] = rowError;
                    }
                }
            }

            if (metrics.BatchSize.Enabled)
            {
                metrics.BatchSize.Record(features.Length, ModelServingMetrics.Tags(Name, primary.Version));
            }

            if (metrics.InferenceDuration.Enabled)
            {
                // One measurement per row, so the histogram's count is the number of calls.
                var tags = ModelServingMetrics.Tags(Name, primary.Version, PrimaryRole);
                if (errorType is not null)
                {
                    tags.Add(ModelServingTelemetry.ErrorTypeTag, errorType);
                }

                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                for (var i = 0; i < features.Length; i++)
                {
                    metrics.InferenceDuration.Record(seconds, tags);
                }
            }

            return primary.Version;
        }
        finally
        {
            primary.Release();
        }
    }

    private LoadedVersion<TFeatures, TOutput> AcquirePrimary()
    {
        while (true)
        {
            var primary = Volatile.Read(ref _serving).Primary
                ?? throw new ModelNotReadyException(Name, Stopping.IsCancellationRequested
                    ? $"Model '{Name}' is stopping."
                    : $"Model '{Name}' has no version ready to serve yet.");

            // A retired primary has already been replaced: read the state again.
            if (primary.TryAcquire())
            {
                return primary;
            }
        }
    }

    private LoadedVersion<TFeatures, TOutput> AcquireVersion(string version)
    {
        var loaded = Volatile.Read(ref _serving).Find(version);
        return loaded is not null && loaded.TryAcquire()
            ? loaded
            : throw new ModelNotFoundException(Name, version);
    }

    /// <summary>Runs one prediction on an acquired version and releases it.</summary>
    private TOutput Run(LoadedVersion<TFeatures, TOutput> version, TFeatures features, string role)
    {
        // In-flight calls are observed from the versions' own counts (lyftserving.inference.active),
        // so the hot path records one histogram value at most.
        var duration = Context.Metrics.InferenceDuration;
        var timed = duration.Enabled;
        var started = timed ? Stopwatch.GetTimestamp() : 0;

        var activity = ModelServingTelemetry.Source.HasListeners() ? StartActivity(version, role) : null;
        string? errorType = null;
        try
        {
            return version.Model.Predict(features);
        }
        catch (Exception ex)
        {
            errorType = ex.GetType().FullName;
            activity?.SetStatus(ActivityStatusCode.Error, errorType);
            activity?.SetTag(ModelServingTelemetry.ErrorTypeTag, errorType);
            throw;
        }
        finally
        {
            version.Release();
            activity?.Dispose();
            if (timed)
            {
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                if (errorType is null)
                {
                    // The three-tag overload: no TagList to build and copy on every successful call.
                    duration.Record(
                        seconds,
                        new(ModelServingTelemetry.ModelNameTag, Name),
                        new(ModelServingTelemetry.ModelVersionTag, version.Version),
                        new(ModelServingTelemetry.RoleTag, role));
                }
                else
                {
                    var tags = ModelServingMetrics.Tags(Name, version.Version, role);
                    tags.Add(ModelServingTelemetry.ErrorTypeTag, errorType);
                    duration.Record(seconds, tags);
                }
            }
        }
    }

    private Activity? StartActivity(LoadedVersion<TFeatures, TOutput> version, string role)
    {
        var activity = ModelServingTelemetry.Source.StartActivity(_activityName, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(ModelServingTelemetry.ModelNameTag, Name);
            activity.SetTag(ModelServingTelemetry.ModelVersionTag, version.Version);
            activity.SetTag(ModelServingTelemetry.RoleTag, role);
        }

        return activity;
    }

    // ---- Control operations (called one at a time by the base class) ----

    protected override async Task PromoteCoreAsync(string version, CancellationToken cancellationToken, bool recordHistory = true)
    {
        var current = Volatile.Read(ref _serving);
        if (current.Primary?.Version == version)
        {
            return;
        }

        var target = current.Find(version) ?? await LoadCoreAsync(version, cancellationToken).ConfigureAwait(false);
        var previous = current.Primary;
        target.ShadowStats = null;
        Publish(new ServingState(
            target,
            [.. current.Versions.Where(v => v != previous && v != target), target],
            [.. current.Shadows.Where(v => v != target)]));
        UpdateRecord(target.Version, target.RecordOwner, r => r.Role = ModelVersionRole.Primary);
        OnPromoted(target.Version, previous?.Version, recordHistory);
        if (previous is not null)
        {
            _ = Retire(previous);
        }
    }

    protected override async Task LoadSideBySideCoreAsync(string version, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _serving);
        if (current.Find(version) is not null)
        {
            return;
        }

        var loaded = await LoadCoreAsync(version, cancellationToken).ConfigureAwait(false);
        Publish(current with { Versions = [.. current.Versions, loaded] });
    }

    protected override async Task ShadowCoreAsync(string version, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _serving);
        if (current.Primary?.Version == version)
        {
            throw new InvalidOperationException($"Version '{version}' is the primary of model '{Name}'; it cannot also be its shadow.");
        }

        if (current.Shadows.Any(v => v.Version == version))
        {
            return;
        }

        var loaded = current.Find(version) ?? await LoadCoreAsync(version, cancellationToken).ConfigureAwait(false);
        loaded.ShadowStats = new ShadowStats();

        // The evaluator starts with the first shadow: models that never shadow pay nothing.
        _shadows ??= new ShadowEvaluator<TFeatures, TOutput>(Context, Context.Services.GetKeyedService<IShadowComparer<TOutput>>(Name), _outputInfo, () => PrimaryVersion);
        current = Volatile.Read(ref _serving);
        Publish(current with
        {
            Versions = current.Find(version) is null ? [.. current.Versions, loaded] : current.Versions,
            Shadows = [.. current.Shadows, loaded],
        });
        UpdateRecord(version, loaded.RecordOwner, r => r.Role = ModelVersionRole.Shadow);
        Log.ShadowLoaded(Logger, Name, version, Context.Options.Shadow.SampleRate);
    }

    protected override Task UnloadCore(string version)
    {
        var current = Volatile.Read(ref _serving);
        var loaded = current.Find(version) ?? throw new ModelNotFoundException(Name, version);
        if (loaded == current.Primary)
        {
            throw new InvalidOperationException($"Version '{version}' is the primary of model '{Name}'; promote another version before unloading it.");
        }

        Publish(new ServingState(current.Primary, [.. current.Versions.Where(v => v != loaded)], [.. current.Shadows.Where(v => v != loaded)]));
        return Retire(loaded);
    }

    protected override async Task StopServingAsync(CancellationToken cancellationToken)
    {
        // Queued batch rows still run on the primary; then nothing serves, and every version drains.
        if (_batcher is not null)
        {
            await _batcher.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        var current = Volatile.Read(ref _serving);
        Publish(ServingState.Empty);
        Log.HostStopping(Logger, Name, current.Versions.Length);
        foreach (var version in current.Versions)
        {
            _ = Retire(version);
        }

        if (_shadows is not null)
        {
            await _shadows.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        Task retiring;
        lock (_retiringLock)
        {
            retiring = Task.WhenAll(_retiring);
        }

        // The limiter stays usable: a call still queued for a slot gets its turn as the drained
        // calls leave, and then finds no primary (ModelNotReadyException).
        await retiring.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override IReadOnlyList<ShadowStatus> GetShadowStatuses() =>
        [.. Volatile.Read(ref _serving).Shadows
            .Select(v => v.ShadowStats?.ToStatus(v.Version))
            .OfType<ShadowStatus>()];

    public override void ObserveActive(List<Measurement<long>> measurements)
    {
        var current = Volatile.Read(ref _serving);
        foreach (var version in current.Versions)
        {
            var role = version == current.Primary ? PrimaryRole : current.Shadows.Contains(version) ? ShadowRole : DirectRole;
            measurements.Add(ActiveMeasurement(version, role));
        }

        lock (_retiringLock)
        {
            foreach (var version in _draining)
            {
                measurements.Add(ActiveMeasurement(version, DirectRole));
            }
        }
    }

    private Measurement<long> ActiveMeasurement(LoadedVersion<TFeatures, TOutput> version, string role) =>
        new(version.InFlight, ModelServingMetrics.Tags(Name, version.Version, role));

    private void Publish(ServingState next) => Interlocked.Exchange(ref _serving, next);

    /// <summary>Loads, warms up and self-tests a version; it serves only if this completes.</summary>
    private async Task<LoadedVersion<TFeatures, TOutput>> LoadCoreAsync(string version, CancellationToken cancellationToken)
    {
        var owner = new object();
        BeginRecord(version, owner);
        Log.VersionLoading(Logger, Name, version);
        var started = TimeProvider.GetTimestamp();
        IModel<TFeatures, TOutput>? model = null;
        try
        {
            var artifact = await Context.Store.GetArtifactAsync(Name, version, cancellationToken).ConfigureAwait(false);
            UpdateRecord(version, owner, r => r.ContentHash = artifact.ContentHash);
            model = _factory(Context.Services);
            await model.LoadAsync(artifact, cancellationToken).ConfigureAwait(false);
            if (model is IModelWarmup warmup)
            {
                await warmup.WarmUpAsync(cancellationToken).ConfigureAwait(false);
            }

            UpdateRecord(version, owner, r => r.State = ModelVersionState.SelfTesting);
            var report = await RunSelfTestsAsync(model, artifact, owner, cancellationToken).ConfigureAwait(false);
            var metadata = (model as IModelMetadataSource)?.GetMetadata();
            var elapsed = TimeProvider.GetElapsedTime(started);
            UpdateRecord(version, owner, r =>
            {
                r.State = ModelVersionState.Ready;
                r.LoadedAt = TimeProvider.GetUtcNow();
                r.LoadDuration = elapsed;
                r.Metadata = metadata;
                r.Signature = (model as IModelSignatureSource)?.Signature;
            });
            RecordLoadDuration(version, elapsed, errorType: null);
            Log.VersionLoaded(Logger, Name, version, artifact.ContentHash, elapsed.TotalMilliseconds);
            return new LoadedVersion<TFeatures, TOutput>(version, model, owner);
        }
        catch (Exception ex)
        {
            if (model is not null)
            {
                await DisposeQuietlyAsync(model, version).ConfigureAwait(false);
            }

            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                RemoveRecord(version, owner);
                throw;
            }

            var failure = ex as ModelLoadException
                ?? new ModelLoadException(Name, version, $"Model '{Name}' version '{version}' failed to load: {ex.GetType().Name}: {ex.Message}", ex);
            var error = ToError(failure);
            UpdateRecord(version, owner, r =>
            {
                r.State = ModelVersionState.Failed;
                r.Error = error;
            });
            RecordLoadDuration(version, TimeProvider.GetElapsedTime(started), error.ErrorType);
            Log.VersionLoadFailed(Logger, Name, version, failure.Message, ex);
            if (ReferenceEquals(failure, ex))
            {
                throw;
            }

            throw failure;
        }
    }

    private async Task<SelfTestReport> RunSelfTestsAsync(IModel<TFeatures, TOutput> model, ModelArtifact artifact, object owner, CancellationToken cancellationToken)
    {
        var options = Context.Options;
        var report = await SelfTestRunner.RunAsync(model, artifact, options.SelfTestTolerance, Context.Json, TimeProvider, cancellationToken).ConfigureAwait(false);
        UpdateRecord(artifact.Version, owner, r => r.SelfTests = report);
        if (report.Cases.Count > 0)
        {
            var counter = Context.Metrics.SelfTestRuns;
            if (counter.Enabled)
            {
                var tags = default(TagList);
                tags.Add(ModelServingTelemetry.ModelNameTag, Name);
                tags.Add(ModelServingTelemetry.ModelVersionTag, artifact.Version);
                tags.Add(ModelServingTelemetry.SelfTestResultTag, report.Succeeded ? "pass" : "fail");
                counter.Add(1, tags);
            }

            if (report.Succeeded)
            {
                Log.SelfTestsPassed(Logger, Name, artifact.Version, report.Passed);
            }
            else
            {
                Log.SelfTestsFailed(Logger, Name, artifact.Version, report.Failed, report.Cases.Count, SelfTestRunner.Summarize(report));
            }
        }

        if (options.RequireSelfTests)
        {
            if (report.Cases.Count == 0)
            {
                throw new ModelLoadException(Name, artifact.Version, $"Model '{Name}' version '{artifact.Version}' has no self-test cases, and RequireSelfTests is set: add {ModelArtifact.TestDataFileName} to the version or implement IModelTestData.");
            }

            if (!report.Succeeded)
            {
                throw new ModelLoadException(Name, artifact.Version, $"Model '{Name}' version '{artifact.Version}' failed its self-tests: {SelfTestRunner.Summarize(report)}.");
            }
        }

        return report;
    }

    private void RecordLoadDuration(string version, TimeSpan elapsed, string? errorType)
    {
        var histogram = Context.Metrics.LoadDuration;
        if (!histogram.Enabled)
        {
            return;
        }

        var tags = default(TagList);
        tags.Add(ModelServingTelemetry.ModelNameTag, Name);
        tags.Add(ModelServingTelemetry.ModelVersionTag, version);
        if (errorType is not null)
        {
            tags.Add(ModelServingTelemetry.ErrorTypeTag, errorType);
        }

        histogram.Record(elapsed.TotalSeconds, tags);
    }

    /// <summary>Drains and disposes a version that no serving state references any more.</summary>
    private Task Retire(LoadedVersion<TFeatures, TOutput> version)
    {
        UpdateRecord(version.Version, version.RecordOwner, r =>
        {
            r.State = ModelVersionState.Draining;
            r.Role = ModelVersionRole.None;
        });
        lock (_retiringLock)
        {
            _draining.Add(version);
        }

        var task = RetireCoreAsync(version);
        lock (_retiringLock)
        {
            _retiring.RemoveAll(t => t.IsCompleted);
            _retiring.Add(task);
        }

        return task;
    }

    private async Task RetireCoreAsync(LoadedVersion<TFeatures, TOutput> version)
    {
        // Flag the version and arm the drain timeout now; drain and dispose off the caller's
        // thread, so promotion returns while the old version drains.
        var draining = version.RetireAsync(DrainTimeout, TimeProvider, CancellationToken.None);
        await Task.Yield();
        if (!await draining.ConfigureAwait(false))
        {
            Log.VersionDrainTimedOut(Logger, Name, version.Version, DrainTimeout);
        }

        await DisposeQuietlyAsync(version.Model, version.Version).ConfigureAwait(false);
        lock (_retiringLock)
        {
            _draining.Remove(version);
        }

        RemoveRecord(version.Version, version.RecordOwner);
        Log.VersionRetired(Logger, Name, version.Version);
    }

    private async ValueTask DisposeQuietlyAsync(IModel<TFeatures, TOutput> model, string version)
    {
        try
        {
            switch (model)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
        catch (Exception ex)
        {
            Log.VersionDisposeFailed(Logger, Name, version, ex);
        }
    }

    /// <summary>What serves now: the primary, every loaded version, and the shadows among them.</summary>
    private sealed record ServingState(
        LoadedVersion<TFeatures, TOutput>? Primary,
        LoadedVersion<TFeatures, TOutput>[] Versions,
        LoadedVersion<TFeatures, TOutput>[] Shadows)
    {
        public static readonly ServingState Empty = new(null, [], []);

        public LoadedVersion<TFeatures, TOutput>? Find(string version)
        {
            foreach (var loaded in Versions)
            {
                if (loaded.Version == version)
                {
                    return loaded;
                }
            }

            return null;
        }
    }
}
