using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace LyftServing.Internal;

/// <summary>What a model host needs from the registry: its options, store, services and telemetry.</summary>
internal sealed record ModelHostContext
{
    public required string Name { get; init; }

    public string? Runtime { get; init; }

    public required ModelOptions Options { get; init; }

    public required ModelServingOptions ServingOptions { get; init; }

    public required IModelStore Store { get; init; }

    public required IServiceProvider Services { get; init; }

    public required ILogger Logger { get; init; }

    public required ModelServingMetrics Metrics { get; init; }

    public required TimeProvider TimeProvider { get; init; }

    public required JsonSerializerOptions Json { get; init; }

    public required PredictionLogWriter PredictionLog { get; init; }
}
