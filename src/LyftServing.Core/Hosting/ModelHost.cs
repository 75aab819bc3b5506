using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace LyftServing.Internal;

/// <summary>
/// Hosts one model: chooses versions by its policy, serialises its control operations, keeps its
/// status, and polls its store. The typed half (<see cref="ModelHost{TFeatures, TOutput}"/>)
/// loads, swaps, drains and serves.
/// </summary>
internal abstract class ModelHost : IDisposable
{
    private const int MaxFailedRecords = 10;
    private const int MaxHistory = 100;

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, VersionRecord> _records = new(StringComparer.Ordinal);

    // Versions that failed, with the store's LastModified at the time: retried when it changes.
    private readonly Dictionary<string, DateTimeOffset> _failedVersions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _warnedEntries = new(StringComparer.Ordinal);
    private readonly List<string> _history = [];
    private CancellationTokenSource _changed = new();
    private ModelError? _lastError;
    private string? _newestPromoted;
    private string? _candidate;
    private Task _polling = Task.CompletedTask;
    private Task? _stopped;

    protected ModelHost(ModelHostContext context)
    {
        Context = context;
    }

    public string Name => Context.Name;

    public bool Required => Context.Options.Required;

    public abstract Type FeaturesType { get; }

    public abstract Type OutputType { get; }

    protected ModelHostContext Context { get; }

    protected ILogger Logger => Context.Logger;

    protected TimeProvider TimeProvider => Context.TimeProvider;

    protected TimeSpan DrainTimeout => Context.Options.DrainTimeout ?? Context.ServingOptions.DrainTimeout;

    protected CancellationToken Stopping => _stopping.Token;

    /// <summary>Gets the current primary version's name, read from the serving state the hot path uses.</summary>
    protected abstract string? PrimaryVersion { get; }

    private TimeSpan? PollInterval => Context.Options.Version is null
        ? Context.Options.PollInterval ?? Context.ServingOptions.PollInterval
        : null;

    // ---- Control operations: one at a time per model ----

    /// <summary>Loads the first version. Throws when no version can serve.</summary>
    public Task StartAsync(CancellationToken cancellationToken) =>
        RunExclusiveAsync(
            async ct =>
            {
                await RefreshCoreAsync(retryFailed: true, ct).ConfigureAwait(false);
                foreach (var shadow in Context.Options.Shadow.Versions)
                {
                    try
                    {
                        await ShadowCoreAsync(shadow, ct).ConfigureAwait(false);
                    }
                    catch (ModelLoadException)
                    {
                        // Recorded and logged; a shadow never stops the model from serving.
                    }
                }
            },
            cancellationToken);

    public void StartPolling()
    {
        if (PollInterval is { } interval)
        {
            _polling = PollAsync(interval, _stopping.Token);
        }
    }

    public Task RefreshAsync(CancellationToken cancellationToken) =>
        RunExclusiveAsync(ct => RefreshCoreAsync(retryFailed: true, ct), cancellationToken);

    public Task PromoteAsync(string version, CancellationToken cancellationToken)
    {
        ModelNames.ThrowIfInvalid(version);
        return RunExclusiveAsync(ct => PromoteCoreAsync(version, ct), cancellationToken);
    }

    public async Task<string> RollBackAsync(CancellationToken cancellationToken)
    {
        string? target = null;
        await RunExclusiveAsync(
            async ct =>
            {
                string? candidate;
                lock (_lock)
                {
                    candidate = _history.Count > 0 ? _history[^1] : null;
                }

                target = candidate ?? throw new InvalidOperationException($"Model '{Name}' has no earlier primary version to roll back to.");
                await PromoteCoreAsync(target, ct, recordHistory: false).ConfigureAwait(false);
                lock (_lock)
                {
                    _history.RemoveAt(_history.Count - 1);
                }
            },
            cancellationToken).ConfigureAwait(false);
        return target!;
    }

    public async Task<ModelVersionStatus> ShadowAsync(string version, CancellationToken cancellationToken)
    {
        ModelNames.ThrowIfInvalid(version);
        await RunExclusiveAsync(ct => ShadowCoreAsync(version, ct), cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return _records[version].ToStatus();
        }
    }

    public async Task<ModelVersionStatus> LoadVersionAsync(string version, CancellationToken cancellationToken)
    {
        ModelNames.ThrowIfInvalid(version);
        await RunExclusiveAsync(ct => LoadSideBySideCoreAsync(version, ct), cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return _records[version].ToStatus();
        }
    }

    public Task UnloadVersionAsync(string version, CancellationToken cancellationToken)
    {
        ModelNames.ThrowIfInvalid(version);
        return RunExclusiveAsync(ct => UnloadCore(version).WaitAsync(ct), cancellationToken);
    }

    /// <summary>Stops polling and loads, then drains and disposes every version. Safe to call more than once.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _stopped ??= StopCoreAsync(cancellationToken);
        }
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _polling.ConfigureAwait(false);

        // Loads in progress see Stopping and give up; then nothing else can start.
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        await StopServingAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        // _changed is left to the GC: a late status change may still cancel it.
        _stopping.Dispose();
        _gate.Dispose();
    }

    // ---- Status ----

    public ModelStatus GetStatus()
    {
        var primary = PrimaryVersion;
        lock (_lock)
        {
            return new ModelStatus
            {
                Name = Name,
                Runtime = Context.Runtime,
                Required = Required,
                PrimaryVersion = primary,
                Versions = [.. _records.Values
                    .OrderByDescending(r => r.Version, VersionComparer.Instance)
                    .Select(r => r.ToStatus())],
                Shadows = GetShadowStatuses(),
                LastError = _lastError,
            };
        }
    }

    public IChangeToken GetChangeToken()
    {
        lock (_lock)
        {
            return new CancellationChangeToken(_changed.Token);
        }
    }

    public void CountVersions(Span<int> byState)
    {
        lock (_lock)
        {
            foreach (var record in _records.Values)
            {
                byState[(int)record.State]++;
            }
        }
    }

    /// <summary>Adds the in-flight call count of every loaded or draining version.</summary>
    public abstract void ObserveActive(List<System.Diagnostics.Metrics.Measurement<long>> measurements);

    // ---- For the typed half ----

    protected abstract Task PromoteCoreAsync(string version, CancellationToken cancellationToken, bool recordHistory = true);

    protected abstract Task LoadSideBySideCoreAsync(string version, CancellationToken cancellationToken);

    protected abstract Task UnloadCore(string version);

    protected abstract Task ShadowCoreAsync(string version, CancellationToken cancellationToken);

    /// <summary>Stops the call stages and retires every version, waiting for their drains.</summary>
    protected abstract Task StopServingAsync(CancellationToken cancellationToken);

    protected abstract IReadOnlyList<ShadowStatus> GetShadowStatuses();

    /// <summary>Records that <paramref name="promoted"/> became primary in place of <paramref name="previous"/>.</summary>
    protected void OnPromoted(string promoted, string? previous, bool recordHistory)
    {
        lock (_lock)
        {
            if (recordHistory && previous is not null)
            {
                _history.Add(previous);
                if (_history.Count > MaxHistory)
                {
                    _history.RemoveAt(0);
                }
            }

            if (_newestPromoted is null || VersionComparer.Instance.Compare(promoted, _newestPromoted) > 0)
            {
                _newestPromoted = promoted;
            }
        }

        Log.VersionPromoted(Logger, Name, promoted, previous ?? "none");
    }

    /// <summary>Starts the record of a load; <paramref name="owner"/> identifies this load in later updates.</summary>
    protected void BeginRecord(string version, object owner)
    {
        lock (_lock)
        {
            _records[version] = new VersionRecord(version, owner);
        }

        NotifyChanged();
    }

    /// <summary>Updates a version's record, unless a newer load of the same version owns it now.</summary>
    protected void UpdateRecord(string version, object owner, Action<VersionRecord> update)
    {
        lock (_lock)
        {
            if (!_records.TryGetValue(version, out var record) || !ReferenceEquals(record.Owner, owner))
            {
                return;
            }

            update(record);
            if (record.State == ModelVersionState.Failed)
            {
                _lastError = record.Error;
                TrimFailedRecords();
            }
        }

        NotifyChanged();
    }

    protected void RemoveRecord(string version, object owner)
    {
        lock (_lock)
        {
            if (_records.TryGetValue(version, out var record) && ReferenceEquals(record.Owner, owner))
            {
                _records.Remove(version);
            }
        }

        NotifyChanged();
    }

    protected void RecordError(ModelError error)
    {
        lock (_lock)
        {
            _lastError = error;
        }

        NotifyChanged();
    }

    protected ModelError ToError(Exception exception) =>
        new(exception.Message, (exception is ModelLoadException { InnerException: { } inner } ? inner : exception).GetType().FullName!, TimeProvider.GetUtcNow());

    private void NotifyChanged()
    {
        CancellationTokenSource previous;
        lock (_lock)
        {
            previous = _changed;
            _changed = new CancellationTokenSource();
        }

        previous.Cancel();
        previous.Dispose();
    }

    private void TrimFailedRecords()
    {
        var failed = _records.Values.Where(r => r.State == ModelVersionState.Failed).ToList();
        foreach (var old in failed.OrderByDescending(r => r.FailedAt).Skip(MaxFailedRecords))
        {
            _records.Remove(old.Version);
        }
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

    /// <summary>Lists the store, chooses the version the policy wants (pinned, or the newest) and promotes it.</summary>
    private async Task RefreshCoreAsync(bool retryFailed, CancellationToken cancellationToken)
    {
        IReadOnlyList<ModelVersionInfo> listed;
        try
        {
            listed = await Context.Store.ListVersionsAsync(Name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var failure = new ModelLoadException(Name, null, $"Model '{Name}' could not list its versions: {ex.Message}", ex);
            RecordError(ToError(failure));
            Log.StoreListFailed(Logger, Name, ex.Message, ex);
            throw failure;
        }

        var versions = new List<ModelVersionInfo>(listed.Count);
        foreach (var info in listed)
        {
            if (ModelNames.IsValid(info.Version))
            {
                versions.Add(info);
            }
            else if (_warnedEntries.Add(info.Version))
            {
                Log.InvalidVersionNameSkipped(Logger, Name, info.Version, ModelNames.Pattern);
            }
        }

        var pinned = Context.Options.Version;
        ModelVersionInfo target;
        if (pinned is not null)
        {
            var found = versions.FindIndex(v => v.Version == pinned);
            if (found < 0)
            {
                throw NoVersion($"Model '{Name}' is pinned to version '{pinned}', which is not in its store (found: {Describe(versions)}).", pinned);
            }

            target = versions[found];
        }
        else if (versions.Count == 0)
        {
            throw NoVersion($"Model '{Name}' has no versions in its store.", null);
        }
        else
        {
            target = versions.MaxBy(v => v.Version, VersionComparer.Instance);
        }

        var primary = PrimaryVersion;
        if (target.Version == primary)
        {
            return;
        }

        // The latest policy adopts versions newer than any promoted so far, so an explicit
        // promotion or rollback to an older version stays until a newer one is published.
        if (pinned is null && primary is not null && _newestPromoted is not null
            && VersionComparer.Instance.Compare(target.Version, _newestPromoted) <= 0)
        {
            return;
        }

        if (!retryFailed && _failedVersions.TryGetValue(target.Version, out var failedStamp) && failedStamp == target.LastModified)
        {
            Log.FailedVersionSkipped(Logger, Name, target.Version);
            return;
        }

        try
        {
            if (pinned is null && primary is not null && Context.Options.Shadow.LatestCandidate)
            {
                await ShadowCandidateAsync(target.Version, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await PromoteCoreAsync(target.Version, cancellationToken).ConfigureAwait(false);
            }

            _failedVersions.Remove(target.Version);
        }
        catch (ModelLoadException)
        {
            _failedVersions[target.Version] = target.LastModified;
            throw;
        }
    }

    /// <summary>Shadows a newer version instead of promoting it, replacing the previous candidate.</summary>
    private async Task ShadowCandidateAsync(string version, CancellationToken cancellationToken)
    {
        if (_candidate == version)
        {
            return;
        }

        await ShadowCoreAsync(version, cancellationToken).ConfigureAwait(false);
        var previous = _candidate;
        _candidate = version;
        if (previous is not null && previous != PrimaryVersion && !Context.Options.Shadow.Versions.Contains(previous))
        {
            try
            {
                await UnloadCore(previous).ConfigureAwait(false);
            }
            catch (ModelNotFoundException)
            {
                // Already unloaded by hand.
            }
        }
    }

    private ModelLoadException NoVersion(string message, string? version)
    {
        var failure = new ModelLoadException(Name, version, message);
        RecordError(ToError(failure));
        Log.NoVersionToServe(Logger, Name, message);
        return failure;
    }

    private static string Describe(List<ModelVersionInfo> versions) =>
        versions.Count == 0
            ? "none"
            : string.Join(", ", versions.Select(v => v.Version).Order(VersionComparer.Instance));

    private async Task PollAsync(TimeSpan interval, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(interval, TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                try
                {
                    await RunExclusiveAsync(ct => RefreshCoreAsync(retryFailed: false, ct), stopping).ConfigureAwait(false);
                }
                catch (ModelLoadException) when (!stopping.IsCancellationRequested)
                {
                    // Already recorded and logged; the current primary keeps serving.
                }
                catch (Exception ex) when (!stopping.IsCancellationRequested)
                {
                    Log.PollFailed(Logger, Name, ex);
                }
            }
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // Stopping: the host retires every version next.
        }
    }
}
