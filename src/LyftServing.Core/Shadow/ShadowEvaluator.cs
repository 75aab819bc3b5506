using System.Diagnostics;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace LyftServing.Internal;

/// <summary>
/// Replays sampled primary calls to shadow versions on a bounded background queue and records how
/// their outputs compare. The caller's only cost is a sampling decision and a non-blocking enqueue.
/// </summary>
internal sealed class ShadowEvaluator<TFeatures, TOutput>
{
    private readonly ModelContext _context;
    private readonly IShadowComparer<TOutput>? _comparer;
    private readonly JsonTypeInfo<TOutput> _outputInfo;
    private readonly Channel<Work> _queue;
    private readonly Task _consumer;
    private readonly Func<string?> _primaryVersion;
    private DateTimeOffset _mismatchWindow;
    private int _mismatchesLogged;

    public ShadowEvaluator(ModelContext context, ShadowOptions options, IShadowComparer<TOutput>? comparer, JsonTypeInfo<TOutput> outputInfo, Func<string?> primaryVersion)
    {
        _context = context;
        Options = options;
        _comparer = comparer;
        _outputInfo = outputInfo;
        _primaryVersion = primaryVersion;
        _queue = Channel.CreateBounded<Work>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // so TryWrite reports a full queue and the drop is counted
            SingleReader = true,
        });

        // The channel's buffer grows by doubling and never shrinks: fill it once now, so a
        // caller's enqueue never allocates, however full the queue gets later.
        while (_queue.Writer.TryWrite(default))
        {
        }

        while (_queue.Reader.TryRead(out _))
        {
        }

        _consumer = Task.Run(ConsumeAsync);
    }

    /// <summary>Gets or sets the options comparisons and mismatch logs follow (replaced when the configuration changes; the queue's capacity stays).</summary>
    public ShadowOptions Options { get; set; }

    /// <summary>Copies a primary call to each shadow that samples it; never blocks.</summary>
    public void Offer(ShadowTarget<TFeatures, TOutput>[] shadows, TFeatures features, TOutput primaryOutput, TimeSpan primaryLatency)
    {
        foreach (var (shadow, rate) in shadows)
        {
            if (rate < 1 && (rate <= 0 || Random.Shared.NextDouble() >= rate))
            {
                continue;
            }

            if (!_queue.Writer.TryWrite(new Work(shadow, features, primaryOutput, primaryLatency)))
            {
                shadow.ShadowStats?.Drop();
                var dropped = _context.Metrics.ShadowDropped;
                if (dropped.Enabled)
                {
                    dropped.Add(1, ModelServingMetrics.Tags(_context.Name, shadow.Version));
                }
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        return _consumer.WaitAsync(cancellationToken);
    }

    private async Task ConsumeAsync()
    {
        await foreach (var work in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            Evaluate(work);
        }
    }

    private void Evaluate(Work work)
    {
        var shadow = work.Shadow;
        var stats = shadow.ShadowStats;
        if (stats is null || !shadow.TryEnter(out var mark))
        {
            return; // no longer a shadow: promoted, removed or retired since the call
        }

        string outcome;
        var started = Stopwatch.GetTimestamp();
        string? errorType = null;
        try
        {
            var output = shadow.Model.Predict(work.Features);
            var elapsed = Stopwatch.GetElapsedTime(started);
            stats.PrimaryLatency.Record(work.PrimaryLatency);
            stats.ShadowLatency.Record(elapsed);
            if (AreEquivalent(work.PrimaryOutput, output, out var difference))
            {
                outcome = "match";
                stats.Match();
            }
            else
            {
                outcome = "mismatch";
                stats.Mismatch();
                LogMismatch(shadow.Version, difference);
            }
        }
        catch (Exception ex)
        {
            outcome = "error";
            errorType = ex.GetType().FullName;
            stats.Error();
            Log.ShadowFailed(_context.Logger, _context.Name, shadow.Version, ex);
        }
        finally
        {
            shadow.Exit(mark);
        }

        var metrics = _context.Metrics;
        if (metrics.InferenceDuration.Enabled)
        {
            var tags = ModelServingMetrics.Tags(_context.Name, shadow.Version, "shadow");
            if (errorType is not null)
            {
                tags.Add(ModelServingTelemetry.ErrorTypeTag, errorType);
            }

            metrics.InferenceDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }

        if (metrics.ShadowComparisons.Enabled)
        {
            var tags = ModelServingMetrics.Tags(_context.Name, shadow.Version);
            tags.Add(ModelServingTelemetry.OutcomeTag, outcome);
            metrics.ShadowComparisons.Add(1, tags);
        }
    }

    private bool AreEquivalent(TOutput primary, TOutput shadow, out string? difference)
    {
        if (_comparer is not null)
        {
            difference = "the comparer reported a difference";
            return _comparer.AreEquivalent(primary, shadow);
        }

        return OutputComparer.AreEquivalent(primary, shadow, Options.Tolerance, _outputInfo, out difference);
    }

    private void LogMismatch(string shadowVersion, string? difference)
    {
        // A sample of mismatches: at most MismatchLogsPerMinute per model.
        var now = _context.TimeProvider.GetUtcNow();
        if (now - _mismatchWindow >= TimeSpan.FromMinutes(1))
        {
            _mismatchWindow = now;
            _mismatchesLogged = 0;
        }

        if (_mismatchesLogged >= Options.MismatchLogsPerMinute || !_context.Logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        _mismatchesLogged++;

        // "$.score: expected 0.5, got 0.7 (...)": values are outputs, logged only when allowed.
        var text = difference ?? "outputs differ";
        if (!_context.LogSensitiveData)
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            text = colon > 0 ? $"{text[..colon]} differs (enable LogSensitiveData to log the values)" : "outputs differ";
        }

        Log.ShadowMismatch(_context.Logger, _context.Name, shadowVersion, _primaryVersion() ?? "(none)", text);
    }

    private readonly record struct Work(LoadedVersion<TFeatures, TOutput> Shadow, TFeatures Features, TOutput PrimaryOutput, TimeSpan PrimaryLatency);
}
