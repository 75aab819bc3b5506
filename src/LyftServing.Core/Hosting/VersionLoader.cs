using Microsoft.Extensions.Logging;

namespace LyftServing.Internal;

/// <summary>
/// Loads one version: reads its artifact from the store, checks that its content is what it was
/// when first loaded, creates the model instance, loads and warms it up, runs its self-tests. The
/// version may serve only if all of that completes; otherwise the instance is disposed and the
/// failure recorded.
/// </summary>
internal sealed class VersionLoader<TFeatures, TOutput>(
    ModelContext context,
    StatusBook status,
    VersionMemory memory,
    Func<IServiceProvider, IModel<TFeatures, TOutput>> factory)
{
    public const string VersionChanged = "lyftserving.version_changed";

    private ILogger Logger => context.Logger;

    private string Name => context.Name;

    /// <param name="version">The version to load.</param>
    /// <param name="options">The model's current options (self-test rules).</param>
    /// <param name="recordedHash">A content hash recorded elsewhere (the operator's decision) that the version must have, if this process never loaded it.</param>
    /// <param name="acceptChanged">Whether an operator asked for this version by name, which accepts content that changed since it was first loaded (reported all the same).</param>
    /// <param name="cancellationToken">Cancels the load; the model code should honour it.</param>
    /// <exception cref="ModelLoadException">The version cannot serve; the message says why.</exception>
    public async Task<LoadedVersion<TFeatures, TOutput>> LoadAsync(string version, ModelOptions options, string? recordedHash, bool acceptChanged, CancellationToken cancellationToken)
    {
        var record = status.Begin(version);
        Log.VersionLoading(Logger, Name, version);
        var started = context.TimeProvider.GetTimestamp();
        IModel<TFeatures, TOutput>? model = null;
        ModelArtifact? artifact = null;
        try
        {
            artifact = await context.Store.GetArtifactAsync(Name, version, cancellationToken).ConfigureAwait(false);
            status.Update(record, r => r.ContentHash = artifact.ContentHash);
            CheckUnchanged(version, artifact.ContentHash, memory.ExpectedHash(version) ?? recordedHash, acceptChanged);
            model = factory(context.Services);
            await model.LoadAsync(artifact, cancellationToken).ConfigureAwait(false);
            if (model is IModelWarmup warmup)
            {
                await warmup.WarmUpAsync(cancellationToken).ConfigureAwait(false);
            }

            status.Update(record, r => r.State = ModelVersionState.SelfTesting);
            var report = await SelfTestRunner.RunAsync(model, artifact, options.SelfTestTolerance, context.Json, context.TimeProvider, cancellationToken).ConfigureAwait(false);
            status.Update(record, r => r.SelfTests = report);
            CheckSelfTests(version, report, options);

            var metadata = (model as IModelMetadataSource)?.GetMetadata();
            var elapsed = context.TimeProvider.GetElapsedTime(started);
            var loaded = new LoadedVersion<TFeatures, TOutput>(model, record, artifact.ContentHash);
            status.Update(record, r =>
            {
                r.State = ModelVersionState.Ready;
                r.LoadedAt = context.TimeProvider.GetUtcNow();
                r.LoadDuration = elapsed;
                r.Metadata = metadata;
                r.Signature = (model as IModelSignatureSource)?.Signature;
                r.InFlight = () => loaded.InFlight;
            });
            memory.Remember(version, artifact.ContentHash, replace: acceptChanged);
            RecordLoadDuration(version, elapsed, errorType: null);
            Log.VersionLoaded(Logger, Name, version, artifact.ContentHash, elapsed.TotalMilliseconds);
            return loaded;
        }
        catch (Exception ex)
        {
            if (model is not null)
            {
                await DisposeQuietlyAsync(context, model, version).ConfigureAwait(false);
            }

            if (artifact is not null)
            {
                context.Store.ReleaseArtifact(Name, version);
            }

            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                status.Remove(record);
                throw;
            }

            var failure = ex as ModelLoadException
                ?? new ModelLoadException(Name, version, $"Model '{Name}' version '{version}' failed to load: {ex.GetType().Name}: {ex.Message}", ex);
            var error = failure.Data[VersionChanged] is true ? new ModelError(failure.Message, VersionChanged, context.TimeProvider.GetUtcNow()) : context.ToError(failure);
            status.Fail(record, error);
            RecordLoadDuration(version, context.TimeProvider.GetElapsedTime(started), error.ErrorType);
            Log.VersionLoadFailed(Logger, Name, version, failure.Message, ex);
            if (ReferenceEquals(failure, ex))
            {
                throw;
            }

            throw failure;
        }
    }

    /// <summary>Disposes a model instance, logging (never throwing) what its Dispose throws.</summary>
    public static async ValueTask DisposeQuietlyAsync(ModelContext context, IModel<TFeatures, TOutput> model, string version)
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
            Log.VersionDisposeFailed(context.Logger, context.Name, version, ex);
        }
    }

    private void CheckUnchanged(string version, string actual, string? expected, bool acceptChanged)
    {
        if (expected is null || expected == actual)
        {
            return;
        }

        var changed = context.Metrics.VersionsChanged;
        if (changed.Enabled)
        {
            changed.Add(1, ModelServingMetrics.Tags(Name, version));
        }

        Log.VersionContentChanged(Logger, Name, version, expected, actual, acceptChanged);
        if (acceptChanged)
        {
            return;
        }

        memory.ChangedInPlace(version);
        var failure = new ModelLoadException(
            Name,
            version,
            $"Model '{Name}' version '{version}' changed after it was first loaded: its content hash is {actual}, not {expected}. Versions are immutable: publish changed files as a new version. It will not serve until an operator loads, promotes or pins it by name, which accepts the new content.");
        failure.Data[VersionChanged] = true;
        throw failure;
    }

    private void CheckSelfTests(string version, SelfTestReport report, ModelOptions options)
    {
        if (report.Cases.Count > 0)
        {
            var counter = context.Metrics.SelfTestRuns;
            if (counter.Enabled)
            {
                var tags = ModelServingMetrics.Tags(Name, version);
                tags.Add(ModelServingTelemetry.SelfTestResultTag, report.Succeeded ? "pass" : "fail");
                counter.Add(1, tags);
            }

            if (report.Succeeded)
            {
                Log.SelfTestsPassed(Logger, Name, version, report.Passed);
            }
            else
            {
                Log.SelfTestsFailed(Logger, Name, version, report.Failed, report.Cases.Count, SelfTestRunner.Summarize(report));
            }
        }

        if (report.Cases.Count == 0 && options.RequireSelfTests)
        {
            throw new ModelLoadException(Name, version, $"Model '{Name}' version '{version}' has no self-test cases, and RequireSelfTests is set: add {ModelArtifact.TestDataFileName} to the version or implement IModelTestData.");
        }

        // Failing self-tests always block a version, unless the model is explicitly report-only.
        if (!report.Succeeded && !options.SelfTestsReportOnly)
        {
            throw new ModelLoadException(Name, version, $"Model '{Name}' version '{version}' failed its self-tests: {SelfTestRunner.Summarize(report)}.");
        }
    }

    private void RecordLoadDuration(string version, TimeSpan elapsed, string? errorType)
    {
        var histogram = context.Metrics.LoadDuration;
        if (!histogram.Enabled)
        {
            return;
        }

        var tags = ModelServingMetrics.Tags(Name, version);
        if (errorType is not null)
        {
            tags.Add(ModelServingTelemetry.ErrorTypeTag, errorType);
        }

        histogram.Record(elapsed.TotalSeconds, tags);
    }
}
