using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace LyftServing.Internal;

/// <summary>What one model's lifecycle and stages need that never changes while it runs: its name, store, services and telemetry.</summary>
internal sealed record ModelContext
{
    public required string Name { get; init; }

    public string? Runtime { get; init; }

    public required bool Required { get; init; }

    public required IModelStore Store { get; init; }

    public required IServiceProvider Services { get; init; }

    public required ILogger Logger { get; init; }

    public required ModelServingMetrics Metrics { get; init; }

    public required TimeProvider TimeProvider { get; init; }

    public required JsonSerializerOptions Json { get; init; }

    public required PredictionLogWriter PredictionLog { get; init; }

    /// <summary>Gets whether logs may contain features and outputs (<see cref="ModelServingOptions.LogSensitiveData"/>, read at start).</summary>
    public bool LogSensitiveData { get; init; }

    public ModelError ToError(Exception exception) =>
        new(exception.Message, (exception is ModelLoadException { InnerException: { } inner } ? inner : exception).GetType().FullName!, TimeProvider.GetUtcNow());
}
