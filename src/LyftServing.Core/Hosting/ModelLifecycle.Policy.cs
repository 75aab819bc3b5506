namespace LyftServing.Internal;

/// <summary>Applying the version policy: choosing, loading and publishing the primary and the shadows.</summary>
internal sealed partial class ModelLifecycle<TFeatures, TOutput>
{
    /// <summary>Asks the policy which version should be primary and which shadows, and makes it so.</summary>
    private async Task ApplyPolicyAsync(bool starting, CancellationToken cancellationToken)
    {
        var listed = await ListAsync(cancellationToken).ConfigureAwait(false);
        await ReadDecisionAsync(cancellationToken).ConfigureAwait(false);
        var options = _options;
        var primary = _serving.Current.Primary;
        var plan = VersionPolicy.ChoosePrimary(Name, listed, options, _decision, primary?.Version);
        if (plan.Problem is { } problem)
        {
            var failure = NoVersion(problem);
            if (primary is null)
            {
                throw failure;
            }
        }

        var stamps = listed.ToDictionary(v => v.Version, StringComparer.Ordinal);
        var failures = new List<string>();
        ModelLoadException? firstFailure = null;
        foreach (var candidate in plan.Candidates)
        {
            if (candidate == primary?.Version)
            {
                break; // nothing more preferred can serve: keep the primary
            }

            if (_memory.IsBlocked(stamps[candidate]))
            {
                Log.FailedVersionSkipped(_context.Logger, Name, candidate);
                failures.Add($"version '{candidate}' failed before and has not changed since");
                continue;
            }

            try
            {
                var loaded = await _loader.LoadAsync(candidate, options, RecordedHash(candidate), acceptChanged: false, cancellationToken).ConfigureAwait(false);
                _memory.Succeeded(candidate);
                PromoteLoaded(loaded, recordHistory: true);
                primary = loaded;
                break;
            }
            catch (ModelLoadException ex) when (!cancellationToken.IsCancellationRequested)
            {
                // A version the store could not hand over (unreachable, a download cut short) is
                // tried again at the next poll; one that failed by itself waits for new content.
                if (ex.InnerException is not ModelStoreException)
                {
                    _memory.Failed(candidate, stamps[candidate].ChangeStamp);
                }

                firstFailure ??= ex;
                failures.Add(ex.Message);
            }
        }

        if (primary is null)
        {
            throw failures.Count == 1 && firstFailure is not null
                ? firstFailure
                : NoVersion($"Model '{Name}' has no version that can serve: {string.Join(" ", failures.Select(f => f.EndsWith('.') ? f : f + "."))}", firstFailure);
        }

        if (failures.Count > 0 && starting)
        {
            Log.StartedOnFallback(_context.Logger, Name, primary.Version, failures.Count);
        }

        await ReconcileShadowsAsync(listed, primary, options, cancellationToken).ConfigureAwait(false);
        if (starting && options.Shadow.LatestCandidate && _decision.PrimaryVersion is null)
        {
            await RecordInitialPrimaryAsync(primary, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Loads the shadows the policy wants and retires those it no longer wants; a shadow that fails is recorded and skipped.</summary>
    private async Task ReconcileShadowsAsync(IReadOnlyList<ModelVersionInfo> listed, LoadedVersion<TFeatures, TOutput> primary, ModelOptions options, CancellationToken cancellationToken)
    {
        var desired = VersionPolicy.ChooseShadows(listed, options, _decision, primary.Version, _memory.IsBlocked);
        foreach (var shadow in _serving.Current.Shadows)
        {
            if (!desired.Any(d => d.Version == shadow.Version.Version))
            {
                Unload(shadow.Version);
            }
        }

        foreach (var (version, rate) in desired)
        {
            var current = _serving.Current;
            if (Array.Exists(current.Shadows, s => s.Version.Version == version && s.SampleRate == rate))
            {
                continue;
            }

            try
            {
                await AddShadowAsync(version, rate, acceptChanged: false, cancellationToken).ConfigureAwait(false);
            }
            catch (ModelLoadException) when (!cancellationToken.IsCancellationRequested)
            {
                // Recorded and logged; a shadow never stops the model from serving.
                _memory.Failed(version, listed.First(v => v.Version == version).ChangeStamp);
            }
        }
    }

    private async Task<LoadedVersion<TFeatures, TOutput>> AddShadowAsync(string version, double sampleRate, bool acceptChanged, CancellationToken cancellationToken)
    {
        var loaded = _serving.Current.Find(version);
        var fresh = loaded is null;
        loaded ??= await _loader.LoadAsync(version, _options, RecordedHash(version), acceptChanged, cancellationToken).ConfigureAwait(false);
        _memory.Succeeded(version);
        var stopped = false;
        lock (_publishLock)
        {
            var current = _serving.Current;
            if (current.Primary == loaded)
            {
                throw new ModelConflictException(Name, ModelConflict.VersionIsPrimary, version, $"Version '{version}' is the primary of model '{Name}'; it cannot also be its shadow.");
            }

            stopped = _isStopped;
            if (!stopped)
            {
                loaded.ShadowStats ??= new ShadowStats();
                Publish(
                    current.Primary,
                    fresh ? [.. current.Versions, loaded] : current.Versions,
                    [.. current.Shadows.Where(s => s.Version != loaded), new ShadowTarget<TFeatures, TOutput>(loaded, sampleRate)]);
            }
        }

        if (stopped)
        {
            throw Discard(loaded, version);
        }

        _status.Update(loaded.Record, r => r.Role = ModelVersionRole.Shadow);
        Log.ShadowLoaded(_context.Logger, Name, version, sampleRate);
        return loaded;
    }

    /// <summary>Makes a loaded version the primary and retires the previous one.</summary>
    private void PromoteLoaded(LoadedVersion<TFeatures, TOutput> loaded, bool recordHistory)
    {
        LoadedVersion<TFeatures, TOutput>? previous;
        bool stopped;
        lock (_publishLock)
        {
            var current = _serving.Current;
            previous = current.Primary;
            stopped = _isStopped;
            if (!stopped && previous == loaded)
            {
                return;
            }

            if (!stopped)
            {
                loaded.ShadowStats = null;
                Publish(loaded, [.. current.Versions.Where(v => v != previous && v != loaded), loaded], [.. current.Shadows.Where(s => s.Version != loaded)]);
                if (recordHistory && previous is not null)
                {
                    _history.Add(previous.Version);
                    if (_history.Count > MaxHistory)
                    {
                        _history.RemoveAt(0);
                    }
                }
            }
        }

        // Status, logs and retiring outside the lock: change-token callbacks run here.
        if (stopped)
        {
            throw Discard(loaded, loaded.Version);
        }

        _status.Update(loaded.Record, r => r.Role = ModelVersionRole.Primary);
        Log.VersionPromoted(_context.Logger, Name, loaded.Version, previous?.Version ?? "none");
        if (previous is not null)
        {
            _retirements.Retire(previous, DrainTimeout);
        }
    }

    /// <summary>Takes a version that is not the primary out of the snapshot and retires it.</summary>
    private void Unload(LoadedVersion<TFeatures, TOutput> version)
    {
        lock (_publishLock)
        {
            var current = _serving.Current;
            Publish(current.Primary, [.. current.Versions.Where(v => v != version)], [.. current.Shadows.Where(s => s.Version != version)]);
        }

        _retirements.Retire(version, DrainTimeout);
    }

    /// <summary>Publishes a snapshot with the pipeline its options and shadows call for; under the publish lock.</summary>
    private void Publish(LoadedVersion<TFeatures, TOutput>? primary, LoadedVersion<TFeatures, TOutput>[] versions, ShadowTarget<TFeatures, TOutput>[] shadows) =>
        _serving.Publish(new ServingSnapshot<TFeatures, TOutput>(primary, versions, shadows, _pipelines.Build(_options, shadows.Length > 0)));

    /// <summary>A load that completed after the model stopped serving: dispose it (once drained), never publish it.</summary>
    private ModelNotReadyException Discard(LoadedVersion<TFeatures, TOutput> loaded, string version)
    {
        _retirements.Retire(loaded, TimeSpan.Zero);
        return new ModelNotReadyException(Name, $"Model '{Name}' is stopping; version '{version}' was loaded too late to serve.");
    }
}
