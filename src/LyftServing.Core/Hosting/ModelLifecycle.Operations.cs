namespace LyftServing.Internal;

/// <summary>The operator's actions (<see cref="IModelManager"/>) and the store reads they share with the policy.</summary>
internal sealed partial class ModelLifecycle<TFeatures, TOutput>
{
    public Task RefreshAsync(CancellationToken cancellationToken) =>
        RunExclusiveAsync(ct => ApplyPolicyAsync(starting: false, ct), cancellationToken);

    public Task PromoteAsync(string version, CancellationToken cancellationToken)
    {
        ModelNames.ThrowIfInvalid(version);
        return RunExclusiveAsync(ct => DecidePrimaryAsync(version, pinned: false, "promote", byName: true, ct), cancellationToken);
    }

    public Task PinAsync(string version, CancellationToken cancellationToken)
    {
        ModelNames.ThrowIfInvalid(version);
        return RunExclusiveAsync(ct => DecidePrimaryAsync(version, pinned: true, "pin", byName: true, ct), cancellationToken);
    }

    public Task UnpinAsync(CancellationToken cancellationToken) =>
        RunExclusiveAsync(
            async ct =>
            {
                _decision = await _decisions.UpdateAsync(d => new ModelDecision(d) { PrimaryVersion = null, Pinned = false, NewestWhenDecided = null, ContentHash = null }, "unpin", ct).ConfigureAwait(false);
                await ApplyPolicyAsync(starting: false, ct).ConfigureAwait(false);
            },
            cancellationToken);

    public async Task<string> RollBackAsync(CancellationToken cancellationToken)
    {
        string? target = null;
        await RunExclusiveAsync(
            async ct =>
            {
                // The primary before this one; after a restart, the newest version older than it.
                var listed = await ListAsync(ct).ConfigureAwait(false);
                var primary = _serving.Current.Primary?.Version;
                var index = _history.FindLastIndex(v => v != primary && listed.Any(l => l.Version == v));
                target = index >= 0
                    ? _history[index]
                    : listed.Where(v => primary is null || VersionComparer.Instance.Compare(v.Version, primary) < 0).Where(v => !_memory.IsBlocked(v)).Select(v => v.Version).Max(VersionComparer.Instance)
                    ?? throw new ModelConflictException(Name, ModelConflict.NothingToRollBackTo, null, $"Model '{Name}' has no earlier primary version to roll back to.");
                await DecidePrimaryAsync(target, pinned: false, "rollback", byName: false, ct).ConfigureAwait(false);
                if (index >= 0)
                {
                    _history.RemoveRange(index, _history.Count - index);
                }
            },
            cancellationToken).ConfigureAwait(false);
        return target!;
    }

    public async Task<ModelVersionStatus> ShadowAsync(string version, double? sampleRate, CancellationToken cancellationToken)
    {
        ModelNames.ThrowIfInvalid(version);
        if (sampleRate is < 0 or > 1 || (sampleRate is { } r && double.IsNaN(r)))
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "A sample rate is from 0 to 1.");
        }

        LoadedVersion<TFeatures, TOutput>? shadow = null;
        await RunExclusiveAsync(
            async ct =>
            {
                var rate = sampleRate ?? (_options.Shadow.SampleRates.TryGetValue(version, out var configured) ? configured : _options.Shadow.SampleRate);
                var wasLoaded = _serving.Current.Find(version) is not null;
                if (!wasLoaded)
                {
                    ThrowIfNotListed(version, await ListAsync(ct).ConfigureAwait(false));
                }

                _memory.Forgive(version);
                shadow = await AddShadowAsync(version, rate, acceptChanged: true, ct).ConfigureAwait(false);
                try
                {
                    _decision = await _decisions.UpdateAsync(d => new ModelDecision(d) { Shadows = With(d.Shadows, version, rate) }, "shadow", ct).ConfigureAwait(false);
                }
                catch when (!wasLoaded)
                {
                    Unload(shadow);
                    throw;
                }
            },
            cancellationToken).ConfigureAwait(false);
        return shadow!.Record.ToStatus();
    }

    public async Task<ModelVersionStatus> LoadVersionAsync(string version, CancellationToken cancellationToken)
    {
        ModelNames.ThrowIfInvalid(version);
        LoadedVersion<TFeatures, TOutput>? loaded = null;
        await RunExclusiveAsync(
            async ct =>
            {
                loaded = _serving.Current.Find(version);
                if (loaded is not null)
                {
                    return;
                }

                ThrowIfNotListed(version, await ListAsync(ct).ConfigureAwait(false));
                _memory.Forgive(version);
                loaded = await _loader.LoadAsync(version, _options, RecordedHash(version), acceptChanged: true, ct).ConfigureAwait(false);
                bool stopped;
                lock (_publishLock)
                {
                    stopped = _isStopped;
                    if (!stopped)
                    {
                        var current = _serving.Current;
                        Publish(current.Primary, [.. current.Versions, loaded], current.Shadows);
                    }
                }

                if (stopped)
                {
                    throw Discard(loaded, version);
                }
            },
            cancellationToken).ConfigureAwait(false);
        return loaded!.Record.ToStatus();
    }

    public async Task UnloadVersionAsync(string version, CancellationToken cancellationToken)
    {
        ModelNames.ThrowIfInvalid(version);
        LoadedVersion<TFeatures, TOutput>? unloaded = null;
        await RunExclusiveAsync(
            async ct =>
            {
                var current = _serving.Current;
                unloaded = current.Find(version) ?? throw new ModelNotFoundException(Name, version);
                if (unloaded == current.Primary)
                {
                    throw new ModelConflictException(Name, ModelConflict.VersionIsPrimary, version, $"Version '{version}' is the primary of model '{Name}'; promote another version before unloading it.");
                }

                if (current.IsShadow(unloaded))
                {
                    // Recorded as switched off, so no replica's policy brings it back as a shadow.
                    _decision = await _decisions.UpdateAsync(d => new ModelDecision(d) { Shadows = With(d.Shadows, version, 0) }, "unshadow", ct).ConfigureAwait(false);
                }

                Unload(unloaded);
            },
            cancellationToken).ConfigureAwait(false);

        // Outside the control gate: a long drain must not hold up the model's other operations.
        await _retirements.WhenRetiredAsync(unloaded!).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// An operator chose the primary: load it, record the decision in the store so every replica and
    /// every restart follows it, then swap. A version that fails to load, or a decision the store
    /// cannot record, changes nothing. A version named by the operator (<paramref name="byName"/>)
    /// is accepted even if it failed before or its content changed; a rollback's target is not.
    /// </summary>
    private async Task DecidePrimaryAsync(string version, bool pinned, string reason, bool byName, CancellationToken cancellationToken)
    {
        var listed = await ListAsync(cancellationToken).ConfigureAwait(false);
        var loaded = _serving.Current.Find(version);
        var fresh = loaded is null;
        if (fresh)
        {
            ThrowIfNotListed(version, listed);
            if (byName)
            {
                _memory.Forgive(version);
            }

            loaded = await _loader.LoadAsync(version, _options, RecordedHash(version), acceptChanged: byName, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var newest = VersionPolicy.Newest(listed);
            _decision = await _decisions.UpdateAsync(
                d => new ModelDecision(d)
                {
                    PrimaryVersion = version,
                    Pinned = pinned,
                    NewestWhenDecided = newest is null || VersionComparer.Instance.Compare(version, newest) > 0 ? version : newest,
                    ContentHash = loaded!.ContentHash,
                    Shadows = d.Shadows.Where(s => s.Key != version).ToDictionary(StringComparer.Ordinal),
                },
                reason,
                cancellationToken).ConfigureAwait(false);
        }
        catch when (fresh)
        {
            _retirements.Retire(loaded!, TimeSpan.Zero);
            throw;
        }

        _memory.Succeeded(version);
        PromoteLoaded(loaded!, recordHistory: byName);
    }

    /// <summary>With <see cref="ShadowOptions.LatestCandidate"/>, the first primary is recorded, so a restart does not promote a newer candidate nobody compared.</summary>
    private async Task RecordInitialPrimaryAsync(LoadedVersion<TFeatures, TOutput> primary, CancellationToken cancellationToken)
    {
        try
        {
            _decision = await _decisions.UpdateAsync(
                d => d.PrimaryVersion is null ? new ModelDecision(d) { PrimaryVersion = primary.Version, ContentHash = primary.ContentHash, NewestWhenDecided = primary.Version } : null,
                "initial",
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.DecisionNotRecorded(_context.Logger, Name, ex.Message, ex);
        }
    }

    /// <summary>Lists the store's versions with valid names (reporting each invalid one once).</summary>
    private async Task<IReadOnlyList<ModelVersionInfo>> ListAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<ModelVersionInfo> listed;
        try
        {
            listed = await _context.Store.ListVersionsAsync(Name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The store is away: everything loaded keeps serving, and the status says it is stale.
            var failure = new ModelLoadException(Name, null, $"Model '{Name}' could not list its versions: {ex.Message}", ex);
            _storeUnreachable ??= new(_context.TimeProvider.GetUtcNow());
            _status.SetError(_context.ToError(failure));
            Log.StoreListFailed(_context.Logger, Name, ex.Message, ex);
            throw failure;
        }

        if (_storeUnreachable is { } since)
        {
            _storeUnreachable = null;
            Log.StoreReachable(_context.Logger, Name, _context.TimeProvider.GetUtcNow() - since.Value);
            _status.NotifyChanged();
        }

        var valid = new List<ModelVersionInfo>(listed.Count);
        foreach (var info in listed)
        {
            if (ModelNames.IsValid(info.Version))
            {
                valid.Add(info);
            }
            else if (_warnedNames.Add(info.Version))
            {
                Log.InvalidVersionNameSkipped(_context.Logger, Name, info.Version, ModelNames.Pattern);
            }
        }

        return valid;
    }

    /// <summary>Reads the operator's decision; when it cannot be read, the last one read stays and the error is reported.</summary>
    private async Task ReadDecisionAsync(CancellationToken cancellationToken)
    {
        try
        {
            var (decision, stamp) = await _decisions.ReadAsync(cancellationToken).ConfigureAwait(false);
            _decision = decision;
            if (stamp != _decisionStamp)
            {
                _decisionStamp = stamp;
                _status.NotifyChanged();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _status.SetError(_context.ToError(ex));
            Log.DecisionUnreadable(_context.Logger, Name, ex.Message, ex);
        }
    }

    /// <summary>An operator named a version the store does not hold: "not found", before a load is begun (and recorded as failed).</summary>
    private void ThrowIfNotListed(string version, IReadOnlyList<ModelVersionInfo> listed)
    {
        if (!listed.Any(v => v.Version == version))
        {
            throw new ModelNotFoundException(Name, version, $"Model '{Name}' has no version '{version}' in its store.");
        }
    }

    private static Dictionary<string, double> With(IReadOnlyDictionary<string, double> shadows, string version, double rate) =>
        new(shadows, StringComparer.Ordinal) { [version] = rate };
}
