using Microsoft.Extensions.Logging;

namespace LyftServing.Tool;

/// <summary>
/// Writes a line for each model version as the host finishes it, from LyftServing's stable log
/// events (categories <c>LyftServing.*</c>): self-tests passed (8) or failed (9), a failed load
/// (3), a store folder not served (18).
/// Models load in parallel, so the lines come in the order the versions finish.
/// </summary>
internal sealed class ProgressLoggerProvider(TextWriter progress) : ILoggerProvider
{
    private static readonly HashSet<int> Events = [3, 8, 9, 18];

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith("LyftServing.", StringComparison.Ordinal) ? new ProgressLogger(progress) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class ProgressLogger(TextWriter progress) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (Events.Contains(eventId.Id))
            {
                lock (progress)
                {
                    progress.WriteLine($"  {formatter(state, exception)}");
                }
            }
        }
    }
}
