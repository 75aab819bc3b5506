namespace LyftServing;

/// <summary>
/// Receives prediction log records, in batches, from a background task (never on a caller's
/// path). Register sinks with <c>AddPredictionSink</c>; <see cref="JsonLinesPredictionSink"/> ships
/// with Core.
/// </summary>
/// <remarks>Calls are not concurrent: one batch at a time, then <see cref="FlushAsync"/> at shutdown.</remarks>
public interface IPredictionSink
{
    /// <summary>Writes a batch of records.</summary>
    /// <param name="records">The records, oldest first. Valid only during the call.</param>
    /// <param name="cancellationToken">Cancelled when shutdown can wait no longer.</param>
    /// <returns>A task that completes when the records are written (or buffered).</returns>
    ValueTask WriteAsync(IReadOnlyList<PredictionRecord> records, CancellationToken cancellationToken);

    /// <summary>Makes every record written so far durable; called at shutdown.</summary>
    /// <param name="cancellationToken">Cancelled when shutdown can wait no longer.</param>
    /// <returns>A task that completes when flushed.</returns>
    ValueTask FlushAsync(CancellationToken cancellationToken);
}
