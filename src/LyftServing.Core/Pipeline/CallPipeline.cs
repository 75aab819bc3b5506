using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace LyftServing.Internal;

/// <summary>The stages a model's calls go through, built for one set of options.</summary>
/// <param name="Head">The first stage.</param>
/// <param name="BatchOnly">The batch stage when it is the only stage: callers then await their row directly.</param>
/// <param name="TimesCalls">Whether a stage reads the call's start (<see cref="ModelCall{TFeatures}.Started"/>): shadows and the prediction log.</param>
internal sealed record CallPipeline<TFeatures, TOutput>(CallStage<TFeatures, TOutput> Head, BatchStage<TFeatures, TOutput>? BatchOnly, bool TimesCalls);

/// <summary>
/// Builds a model's call pipeline from its options, and keeps the stateful parts (concurrency gate,
/// batcher, shadow evaluator) across rebuilds when the options change. The order is fixed:
/// prediction log → shadows → timeout → limit → batching or <c>Predict</c>, so the log and the
/// shadows see the whole call's latency and the timeout covers the waits.
/// </summary>
internal sealed class PipelineBuilder<TFeatures, TOutput>(
    ModelContext context,
    ServingCell<TFeatures, TOutput> serving,
    PredictStage<TFeatures, TOutput> predict,
    JsonTypeInfo<TOutput> outputInfo)
{
    private readonly Lock _lock = new();
    private readonly List<Task> _stopping = [];
    private ConcurrencyGate? _gate;
    private DynamicBatcher<TFeatures, TOutput>? _batcher;
    private ShadowEvaluator<TFeatures, TOutput>? _shadows;
    private (ModelOptions Options, bool Shadows, CallPipeline<TFeatures, TOutput>? Pipeline)? _last;

    /// <summary>Returns the pipeline for <paramref name="options"/>, or <see langword="null"/> when no stage applies (the bare fast path).</summary>
    public CallPipeline<TFeatures, TOutput>? Build(ModelOptions options, bool hasShadows)
    {
        lock (_lock)
        {
            if (_last is { } last && ReferenceEquals(last.Options, options) && last.Shadows == hasShadows)
            {
                return last.Pipeline;
            }

            CallStage<TFeatures, TOutput> stage = predict;
            BatchStage<TFeatures, TOutput>? batch = null;
            if (options.Batching.Enabled)
            {
                stage = batch = new BatchStage<TFeatures, TOutput>(Batcher(options.Batching), predict, options.Limits.RetryAfter, context);
            }
            else
            {
                StopBatcher();
                if (options.Limits.RunOnThreadPool)
                {
                    stage = new OffloadStage<TFeatures, TOutput>(predict, context);
                }
            }

            if (options.Limits.MaxConcurrency is { } limit)
            {
                if (_gate is null)
                {
                    _gate = new ConcurrencyGate(limit, options.Limits.QueueLimit);
                }
                else
                {
                    _gate.SetLimits(limit, options.Limits.QueueLimit);
                }

                stage = new LimitStage<TFeatures, TOutput>(stage, _gate, options.Limits.RetryAfter, context);
            }
            else
            {
                _gate = null;
            }

            if (options.Limits.Timeout is { } timeout)
            {
                stage = new TimeoutStage<TFeatures, TOutput>(stage, timeout, context);
            }

            if (hasShadows)
            {
                // The evaluator starts with the first shadow: models that never shadow pay nothing.
                _shadows ??= new ShadowEvaluator<TFeatures, TOutput>(context, options.Shadow, context.Services.GetKeyedService<IShadowComparer<TOutput>>(context.Name), outputInfo, () => serving.Current.Primary?.Version);
                _shadows.Options = options.Shadow;
                stage = new ShadowStage<TFeatures, TOutput>(stage, _shadows, serving);
            }

            if (options.PredictionLog.SampleRate > 0 && context.PredictionLog.HasSinks)
            {
                stage = new PredictionLogStage<TFeatures, TOutput>(stage, options.PredictionLog.SampleRate, context);
            }

            var timesCalls = stage is AnsweredStage<TFeatures, TOutput>;
            var pipeline = ReferenceEquals(stage, predict) ? null : new CallPipeline<TFeatures, TOutput>(stage, ReferenceEquals(stage, batch) ? batch : null, timesCalls);
            _last = (options, hasShadows, pipeline);
            return pipeline;
        }
    }

    /// <summary>Stops the batcher (its queued rows still run) and the shadow queue (its copies still compare).</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            StopBatcher();
            if (_shadows is not null)
            {
                _stopping.Add(_shadows.StopAsync(CancellationToken.None));
            }

            return Task.WhenAll(_stopping).WaitAsync(cancellationToken);
        }
    }

    private DynamicBatcher<TFeatures, TOutput> Batcher(BatchingOptions options)
    {
        if (_batcher is { } current
            && current.Options.MaxBatchSize == options.MaxBatchSize
            && current.Options.MaxDelay == options.MaxDelay
            && current.Options.MaxConcurrentBatches == options.MaxConcurrentBatches
            && current.Options.QueueLimit == options.QueueLimit)
        {
            return current;
        }

        // The old batcher runs what it has queued; calls that still reach it run on their own.
        StopBatcher();
        return _batcher = new DynamicBatcher<TFeatures, TOutput>(context.Name, options, context.TimeProvider, predict.RunBatch);
    }

    private void StopBatcher()
    {
        if (_batcher is not null)
        {
            _stopping.RemoveAll(t => t.IsCompleted);
            _stopping.Add(_batcher.StopAsync(CancellationToken.None));
            _batcher = null;
        }
    }
}
