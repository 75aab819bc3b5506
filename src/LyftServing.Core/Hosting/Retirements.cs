using System.Diagnostics.Metrics;

namespace LyftServing.Internal;

/// <summary>
/// Drains and disposes the versions a model no longer serves. A version is disposed only once no
/// call runs on it: after the drain timeout the host warns (log, metric, the version's status) and
/// keeps waiting, because disposing native model code under a running call could crash the process.
/// </summary>
internal sealed class Retirements<TFeatures, TOutput>(ModelContext context, StatusBook status)
{
    public const string DrainOverdue = "lyftserving.drain_overdue";

    private readonly Lock _lock = new();
    private readonly Dictionary<LoadedVersion<TFeatures, TOutput>, Task> _draining = [];

    /// <summary>Stops new calls on a version no snapshot references any more; it is disposed once drained. Retiring it again does nothing.</summary>
    public void Retire(LoadedVersion<TFeatures, TOutput> version, TimeSpan drainTimeout)
    {
        lock (_lock)
        {
            if (_draining.ContainsKey(version) || version.Drained.IsCompleted)
            {
                return;
            }

            version.Retire();

            // The drain timeout is armed now, on the host's clock, not when the task below first
            // runs; the task starts under the lock, so it cannot remove itself before it is added.
            var drained = version.Drained.WaitAsync(drainTimeout, context.TimeProvider);
            _draining.Add(version, RetireAsync(version, drained, drainTimeout));
        }

        status.Update(version.Record, r =>
        {
            r.State = ModelVersionState.Draining;
            r.Role = ModelVersionRole.None;
        });
    }

    /// <summary>Waits for every retired version to drain and be disposed.</summary>
    public Task WhenAllRetiredAsync()
    {
        lock (_lock)
        {
            return Task.WhenAll(_draining.Values);
        }
    }

    /// <summary>Waits for one retired version to drain and be disposed.</summary>
    public Task WhenRetiredAsync(LoadedVersion<TFeatures, TOutput> version)
    {
        lock (_lock)
        {
            return _draining.GetValueOrDefault(version) ?? Task.CompletedTask;
        }
    }

    /// <summary>Gets the versions still draining (still in use).</summary>
    public IReadOnlyList<LoadedVersion<TFeatures, TOutput>> Draining
    {
        get
        {
            lock (_lock)
            {
                return [.. _draining.Keys];
            }
        }
    }

    public void Observe(List<Measurement<long>> measurements)
    {
        lock (_lock)
        {
            foreach (var version in _draining.Keys)
            {
                measurements.Add(new(version.InFlight, ModelServingMetrics.Tags(context.Name, version.Version, "direct")));
            }
        }
    }

    private async Task RetireAsync(LoadedVersion<TFeatures, TOutput> version, Task drained, TimeSpan drainTimeout)
    {
        // Off the caller's thread: the retiring operation returns while the version drains.
        await Task.Yield();
        try
        {
            await drained.ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var inFlight = version.InFlight;
            Log.VersionDrainTimedOut(context.Logger, context.Name, version.Version, inFlight, drainTimeout);
            var overdue = context.Metrics.DrainOverdue;
            if (overdue.Enabled)
            {
                overdue.Add(1, ModelServingMetrics.Tags(context.Name, version.Version));
            }

            var error = new ModelError(
                $"Model '{context.Name}' version '{version.Version}' still had {inFlight} call{(inFlight == 1 ? "" : "s")} in flight after the drain timeout of {drainTimeout}; it is disposed when they end.",
                DrainOverdue,
                context.TimeProvider.GetUtcNow());
            status.Update(version.Record, r => r.Error = error);

            // Never dispose under a running call: wait as long as it takes.
            await version.Drained.ConfigureAwait(false);
        }

        await VersionLoader<TFeatures, TOutput>.DisposeQuietlyAsync(context, version.Model, version.Version).ConfigureAwait(false);
        context.Store.ReleaseArtifact(context.Name, version.Version);
        lock (_lock)
        {
            _draining.Remove(version);
        }

        status.Remove(version.Record);
        Log.VersionRetired(context.Logger, context.Name, version.Version);
    }
}
