using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LyftServing.Internal;

/// <summary>
/// The prediction log's bounded queue and its background writer: callers enqueue records without
/// waiting (a full queue drops and counts), one task hands them to the sinks in batches, and
/// shutdown writes what is queued and flushes.
/// </summary>
internal sealed class PredictionLogWriter
{
    private const int MaxBatch = 512;
    private readonly Channel<PredictionRecord> _queue;
    private readonly IPredictionSink[] _sinks;
    private readonly ModelServingMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Lock _startLock = new();
    private Task? _writing;

    public PredictionLogWriter(IEnumerable<IPredictionSink> sinks, IOptions<ModelServingOptions> options, ModelServingMetrics metrics, ILoggerFactory loggerFactory)
    {
        _sinks = [.. sinks];
        _metrics = metrics;
        _logger = loggerFactory.CreateLogger("LyftServing.PredictionLog");
        _queue = Channel.CreateBounded<PredictionRecord>(new BoundedChannelOptions(options.Value.PredictionLogCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // so TryWrite reports a full queue and the drop is counted
            SingleReader = true,
        });
    }

    /// <summary>Gets whether any sink is registered; without one, nothing is recorded.</summary>
    public bool HasSinks => _sinks.Length > 0;

    public void Offer(PredictionRecord record)
    {
        if (_queue.Writer.TryWrite(record))
        {
            return;
        }

        Count(record.ModelName, "dropped", 1);
    }

    public void Start()
    {
        lock (_startLock)
        {
            _writing ??= HasSinks ? Task.Run(WriteLoopAsync) : Task.CompletedTask;
        }
    }

    /// <summary>Stops accepting records, writes the queued ones and flushes every sink.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        Task writing;
        lock (_startLock)
        {
            writing = _writing ??= Task.CompletedTask;
        }

        await writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var sink in _sinks)
        {
            try
            {
                await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.PredictionSinkFailed(_logger, sink.GetType().Name, ex);
            }
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PredictionRecord>(MaxBatch);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            var failed = false;
            foreach (var sink in _sinks)
            {
                try
                {
                    await sink.WriteAsync(batch, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // A failing sink loses this batch, not the log: the next batch is tried again.
                    Log.PredictionSinkFailed(_logger, sink.GetType().Name, ex);
                    failed = true;
                }
            }

            CountBatch(batch, failed ? "failed" : "written");
            batch.Clear();
        }
    }

    private void CountBatch(List<PredictionRecord> batch, string outcome)
    {
        foreach (var group in batch.GroupBy(r => r.ModelName))
        {
            Count(group.Key, outcome, group.Count());
        }
    }

    private void Count(string model, string outcome, int count)
    {
        var counter = _metrics.PredictionLogRecords;
        if (counter.Enabled)
        {
            var tags = default(TagList);
            tags.Add(ModelServingTelemetry.ModelNameTag, model);
            tags.Add(ModelServingTelemetry.OutcomeTag, outcome);
            counter.Add(count, tags);
        }
    }
}
