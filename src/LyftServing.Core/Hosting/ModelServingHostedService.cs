using Microsoft.Extensions.Hosting;

namespace LyftServing.Internal;

/// <summary>
/// Starts every model when the host starts (strict about configuration, forgiving about versions)
/// and stops them when it stops (bounded by the host's shutdown timeout), then writes out and
/// flushes the prediction log.
/// </summary>
internal sealed class ModelServingHostedService(ModelRegistry registry, LiveOptions liveOptions, PredictionLogWriter predictionLog) : IHostedService
{
    private static readonly TimeSpan LastFlushBudget = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Discovers models (when enabled) and starts every model in parallel. A required model that no
    /// version can serve stops the start with its error, after everything already loaded is
    /// disposed; an optional one is logged.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        predictionLog.Start();
        if (registry.Options.DiscoverModels)
        {
            registry.Add(await ModelDiscovery.DiscoverAsync(registry, cancellationToken).ConfigureAwait(false));
        }

        var models = registry.Models.ToArray();
        var starts = models.Select(m => m.StartAsync(cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(starts).ConfigureAwait(false);
        }
        catch
        {
            // Inspected below, model by model.
        }

        var failures = new List<Exception>();
        for (var i = 0; i < models.Length; i++)
        {
            if (starts[i].Exception?.InnerException is not { } error)
            {
                continue;
            }

            if (models[i].Required)
            {
                failures.Add(error);
            }
            else
            {
                Log.ModelStartFailed(registry.Logger, models[i].Name, error.Message);
            }
        }

        if (failures.Count > 0 || cancellationToken.IsCancellationRequested)
        {
            // A failed start leaves nothing loaded behind.
            await Task.WhenAll(models.Select(m => m.StopAsync(CancellationToken.None))).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (failures.Count == 1)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failures[0]);
            }

            throw new AggregateException(
                $"{failures.Count} required models could not start: {string.Join(" ", failures.Select(f => f.Message))}",
                failures);
        }

        foreach (var model in models)
        {
            model.StartPolling();
        }

        liveOptions.Start();
    }

    /// <summary>Drains and disposes every model, bounded by <paramref name="cancellationToken"/>; then writes out and flushes the prediction log.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        liveOptions.Stop();
        try
        {
            await Task.WhenAll(registry.Models.Select(m => m.StopAsync(cancellationToken))).ConfigureAwait(false);
        }
        finally
        {
            // Even when shutdown ran out of time, the log gets a last, short chance to be flushed.
            using var budget = cancellationToken.IsCancellationRequested ? new CancellationTokenSource(LastFlushBudget) : null;
            await predictionLog.StopAsync(budget?.Token ?? cancellationToken).ConfigureAwait(false);
        }
    }
}
