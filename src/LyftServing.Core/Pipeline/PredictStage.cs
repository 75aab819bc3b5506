using System.Diagnostics;

namespace LyftServing.Internal;

/// <summary>
/// The last stage: runs <c>Predict</c> on the caller's thread, on the primary or on the version the
/// caller named, with the duration histogram and an activity when anyone listens. It is also the
/// bare fast path of a model with no other stage, and it runs dynamic batches.
/// </summary>
internal sealed class PredictStage<TFeatures, TOutput>(ModelContext context, ServingCell<TFeatures, TOutput> serving) : CallStage<TFeatures, TOutput>
{
    private const string PrimaryRole = "primary";
    private const string DirectRole = "direct";

    private readonly string _name = context.Name;
    private readonly string _activityName = "predict " + context.Name;
    private readonly ModelServingMetrics _metrics = context.Metrics;

    /// <summary>The bare fast path: the primary answers on the caller's thread.</summary>
    public TOutput PredictPrimary(ServingSnapshot<TFeatures, TOutput> snapshot, TFeatures features)
    {
        var primary = EnterPrimary(snapshot, out var mark);
        return Run(primary, mark, features, PrimaryRole);
    }

    public override ValueTask<Prediction<TOutput>> InvokeAsync(ModelCall<TFeatures> call, CancellationToken cancellationToken)
    {
        try
        {
            // A caller that gave up does not start a prediction. (A call that waited past its
            // deadline is stopped by the stage it waited in.)
            cancellationToken.ThrowIfCancellationRequested();
            var snapshot = serving.Current;
            CallMark? mark;
            var version = call.Version is null ? EnterPrimary(snapshot, out mark) : EnterVersion(snapshot, call.Version, out mark);
            var role = call.Version is null || ReferenceEquals(version, snapshot.Primary) ? PrimaryRole : DirectRole;
            return new ValueTask<Prediction<TOutput>>(new Prediction<TOutput>(Run(version, mark, call.Features, role), version.Version));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<Prediction<TOutput>>(ex);
        }
        finally
        {
            // The work has ended (or never started): its concurrency permit is free again.
            call.ReleasePermit();
        }
    }

    /// <summary>Runs a dynamic batch on the primary; a batch that throws is re-run row by row, so each caller gets its own answer or error.</summary>
    public string RunBatch(ReadOnlySpan<TFeatures> features, Span<TOutput> outputs, Span<Exception?> errors)
    {
        var primary = EnterPrimary(serving.Current, out var mark);
        try
        {
            var batch = primary.Batch
                ?? throw new InvalidOperationException($"Model '{_name}' has batching enabled, but its model code does not implement IBatchModel.");
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

            if (_metrics.BatchSize.Enabled)
            {
                _metrics.BatchSize.Record(features.Length, ModelServingMetrics.Tags(_name, primary.Version));
            }

            if (_metrics.InferenceDuration.Enabled)
            {
                // One measurement per row, so the histogram's count is the number of calls.
                var tags = ModelServingMetrics.Tags(_name, primary.Version, PrimaryRole);
                if (errorType is not null)
                {
                    tags.Add(ModelServingTelemetry.ErrorTypeTag, errorType);
                }

                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                for (var i = 0; i < features.Length; i++)
                {
                    _metrics.InferenceDuration.Record(seconds, tags);
                }
            }

            return primary.Version;
        }
        finally
        {
            primary.Exit(mark);
        }
    }

    private LoadedVersion<TFeatures, TOutput> EnterPrimary(ServingSnapshot<TFeatures, TOutput> snapshot, out CallMark? mark)
    {
        while (true)
        {
            var primary = snapshot.Primary
                ?? throw new ModelNotReadyException(_name, snapshot.IsStopped
                    ? $"Model '{_name}' is stopping."
                    : $"Model '{_name}' has no version ready to serve yet.");

            // A retired primary has already been replaced: read the snapshot again.
            if (primary.TryEnter(out mark))
            {
                return primary;
            }

            snapshot = serving.Current;
        }
    }

    private LoadedVersion<TFeatures, TOutput> EnterVersion(ServingSnapshot<TFeatures, TOutput> snapshot, string version, out CallMark? mark)
    {
        var loaded = snapshot.Find(version);
        mark = null;
        return loaded is not null && loaded.TryEnter(out mark)
            ? loaded
            : throw new ModelNotFoundException(_name, version);
    }

    /// <summary>Runs one prediction on an entered version and exits it.</summary>
    private TOutput Run(LoadedVersion<TFeatures, TOutput> version, CallMark? mark, TFeatures features, string role)
    {
        // In-flight calls are observed from the versions' own counts (lyftserving.inference.active),
        // so the hot path records one histogram value at most.
        var duration = _metrics.InferenceDuration;
        var timed = duration.Enabled;
        var started = timed ? Stopwatch.GetTimestamp() : 0;

        Activity? activity = null;
        string? errorType = null;
        try
        {
            // Inside the try: a listener that throws from StartActivity must not leave the call counted in.
            activity = ModelServingTelemetry.Source.HasListeners() ? StartActivity(version, role) : null;
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
            version.Exit(mark);
            activity?.Dispose();
            if (timed)
            {
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                if (errorType is null)
                {
                    // The three-tag overload: no TagList to build and copy on every successful call.
                    duration.Record(
                        seconds,
                        new(ModelServingTelemetry.ModelNameTag, _name),
                        new(ModelServingTelemetry.ModelVersionTag, version.Version),
                        new(ModelServingTelemetry.RoleTag, role));
                }
                else
                {
                    var tags = ModelServingMetrics.Tags(_name, version.Version, role);
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
            activity.SetTag(ModelServingTelemetry.ModelNameTag, _name);
            activity.SetTag(ModelServingTelemetry.ModelVersionTag, version.Version);
            activity.SetTag(ModelServingTelemetry.RoleTag, role);
        }

        return activity;
    }
}
