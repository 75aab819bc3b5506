using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LyftServing.AspNetCore.Internal;

// The wire shapes of the endpoints. /infer reads and writes its JSON by hand; these types give the
// OpenAPI description the same field names, and the status view a contract of its own, apart
// from Core's classes.

/// <summary>An inference request.</summary>
[Description("Calls a model with features.")]
internal sealed class InferenceRequest
{
    [JsonPropertyName("model_id")]
    [Description("The model to call, such as driver_eta.")]
    public required string ModelId { get; init; }

    [JsonPropertyName("model_version")]
    [Description("A loaded version to call; leave it out to call the primary version.")]
    public string? ModelVersion { get; init; }

    [JsonPropertyName("features")]
    [Description("The model's features, in the JSON shape of its features type.")]
    public required JsonElement Features { get; init; }
}

/// <summary>An inference answer.</summary>
[Description("The model's output and the version that produced it.")]
internal sealed class InferenceResponse
{
    [JsonPropertyName("model_id")]
    public required string ModelId { get; init; }

    [JsonPropertyName("model_version")]
    [Description("The version that produced the output.")]
    public required string ModelVersion { get; init; }

    [JsonPropertyName("output")]
    [Description("The model's output, in the JSON shape of its output type.")]
    public required JsonElement Output { get; init; }
}

[Description("The served models.")]
internal sealed class ModelList
{
    [JsonPropertyName("models")]
    public required IReadOnlyList<ModelStatusView> Models { get; init; }
}

[Description("A model: its versions, which one is primary, and its last error.")]
internal sealed class ModelStatusView
{
    [JsonPropertyName("model_id")]
    public required string ModelId { get; init; }

    [JsonPropertyName("runtime")]
    [Description("The runtime that serves the model, when it was declared with one.")]
    public string? Runtime { get; init; }

    [JsonPropertyName("required")]
    [Description("Whether the service needs this model to be ready.")]
    public required bool Required { get; init; }

    [JsonPropertyName("primary_version")]
    [Description("The version that answers calls, or null when none serves.")]
    public string? PrimaryVersion { get; init; }

    [JsonPropertyName("versions")]
    [Description("Versions loading, loaded, draining or failed, newest first.")]
    public required IReadOnlyList<ModelVersionView> Versions { get; init; }

    [JsonPropertyName("shadows")]
    [Description("How each shadow version compares with the primary so far.")]
    public required IReadOnlyList<ShadowView> Shadows { get; init; }

    [JsonPropertyName("last_error")]
    public ModelErrorView? LastError { get; init; }

    [JsonPropertyName("decision")]
    [Description("The operator's durable decision (pin, promotion, rollback, shadows), recorded in the model store; null when none was made.")]
    public DecisionView? Decision { get; init; }

    public static ModelStatusView From(ModelStatus status) => new()
    {
        ModelId = status.Name,
        Runtime = status.Runtime,
        Required = status.Required,
        PrimaryVersion = status.PrimaryVersion,
        Versions = [.. status.Versions.Select(ModelVersionView.From)],
        Shadows = [.. status.Shadows.Select(ShadowView.From)],
        LastError = ModelErrorView.From(status.LastError),
        Decision = DecisionView.From(status.Decision),
    };
}

[Description("A shadow version's comparison with the primary: counts, match rate and latencies (seconds).")]
internal sealed class ShadowView
{
    [JsonPropertyName("version")]
    public required string Version { get; init; }

    [JsonPropertyName("requests")]
    public required long Requests { get; init; }

    [JsonPropertyName("matches")]
    public required long Matches { get; init; }

    [JsonPropertyName("mismatches")]
    public required long Mismatches { get; init; }

    [JsonPropertyName("errors")]
    public required long Errors { get; init; }

    [JsonPropertyName("dropped")]
    public required long Dropped { get; init; }

    [JsonPropertyName("match_rate")]
    public double? MatchRate { get; init; }

    [JsonPropertyName("primary_latency_p50_seconds")]
    public double? PrimaryLatencyP50Seconds { get; init; }

    [JsonPropertyName("primary_latency_p99_seconds")]
    public double? PrimaryLatencyP99Seconds { get; init; }

    [JsonPropertyName("shadow_latency_p50_seconds")]
    public double? ShadowLatencyP50Seconds { get; init; }

    [JsonPropertyName("shadow_latency_p99_seconds")]
    public double? ShadowLatencyP99Seconds { get; init; }

    public static ShadowView From(ShadowStatus status) => new()
    {
        Version = status.Version,
        Requests = status.Requests,
        Matches = status.Matches,
        Mismatches = status.Mismatches,
        Errors = status.Errors,
        Dropped = status.Dropped,
        MatchRate = status.MatchRate,
        PrimaryLatencyP50Seconds = status.PrimaryLatencyP50?.TotalSeconds,
        PrimaryLatencyP99Seconds = status.PrimaryLatencyP99?.TotalSeconds,
        ShadowLatencyP50Seconds = status.ShadowLatencyP50?.TotalSeconds,
        ShadowLatencyP99Seconds = status.ShadowLatencyP99?.TotalSeconds,
    };
}

internal sealed class ModelVersionView
{
    [JsonPropertyName("version")]
    public required string Version { get; init; }

    [JsonPropertyName("state")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<ModelVersionState>))]
    public required ModelVersionState State { get; init; }

    [JsonPropertyName("role")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<ModelVersionRole>))]
    public required ModelVersionRole Role { get; init; }

    [JsonPropertyName("loaded_at")]
    public DateTimeOffset? LoadedAt { get; init; }

    [JsonPropertyName("load_duration_seconds")]
    [Description("How long loading, warm-up and self-tests took.")]
    public double? LoadDurationSeconds { get; init; }

    [JsonPropertyName("content_hash")]
    public string? ContentHash { get; init; }

    [JsonPropertyName("self_tests")]
    public SelfTestView? SelfTests { get; init; }

    [JsonPropertyName("metadata")]
    [Description("What the model code reports about the loaded version.")]
    public object? Metadata { get; init; }

    [JsonPropertyName("error")]
    public ModelErrorView? Error { get; init; }

    [JsonPropertyName("in_flight")]
    [Description("Calls running on the version now; a draining version is disposed when this reaches 0.")]
    public int InFlight { get; init; }

    public static ModelVersionView From(ModelVersionStatus status) => new()
    {
        Version = status.Version,
        State = status.State,
        Role = status.Role,
        LoadedAt = status.LoadedAt,
        LoadDurationSeconds = status.LoadDuration?.TotalSeconds,
        ContentHash = status.ContentHash,
        SelfTests = SelfTestView.From(status.SelfTests),
        Metadata = status.Metadata,
        Error = ModelErrorView.From(status.Error),
        InFlight = status.InFlight,
    };
}

[Description("An operator's durable decision about a model, as recorded in its store.")]
internal sealed class DecisionView
{
    [JsonPropertyName("primary_version")]
    [Description("The version the operator chose to serve, or null.")]
    public string? PrimaryVersion { get; init; }

    [JsonPropertyName("pinned")]
    [Description("Whether the version is served whatever is published (a pin); otherwise until a newer version than newest_when_decided is published.")]
    public required bool Pinned { get; init; }

    [JsonPropertyName("newest_when_decided")]
    public string? NewestWhenDecided { get; init; }

    [JsonPropertyName("shadows")]
    [Description("Shadow versions and their sample rates; 0 switches a configured shadow off.")]
    public required IReadOnlyDictionary<string, double> Shadows { get; init; }

    [JsonPropertyName("reason")]
    [Description("The last change: pin, unpin, promote, rollback, shadow, unshadow or initial.")]
    public string? Reason { get; init; }

    [JsonPropertyName("decided_at")]
    public DateTimeOffset? DecidedAt { get; init; }

    [JsonPropertyName("decided_by")]
    [Description("The machine that made the last change.")]
    public string? DecidedBy { get; init; }

    public static DecisionView? From(ModelDecision? decision) => decision is null || ReferenceEquals(decision, ModelDecision.None) ? null : new()
    {
        PrimaryVersion = decision.PrimaryVersion,
        Pinned = decision.Pinned,
        NewestWhenDecided = decision.NewestWhenDecided,
        Shadows = decision.Shadows,
        Reason = decision.Reason,
        DecidedAt = decision.DecidedAt,
        DecidedBy = decision.DecidedBy,
    };
}

internal sealed class SelfTestView
{
    [JsonPropertyName("passed")]
    public required int Passed { get; init; }

    [JsonPropertyName("failed")]
    public required int Failed { get; init; }

    [JsonPropertyName("ran_at")]
    public required DateTimeOffset RanAt { get; init; }

    [JsonPropertyName("duration_seconds")]
    public required double DurationSeconds { get; init; }

    [JsonPropertyName("cases")]
    public required IReadOnlyList<SelfTestCaseView> Cases { get; init; }

    public static SelfTestView? From(SelfTestReport? report) => report is null ? null : new()
    {
        Passed = report.Passed,
        Failed = report.Failed,
        RanAt = report.RanAt,
        DurationSeconds = report.Duration.TotalSeconds,
        Cases = [.. report.Cases.Select(c => new SelfTestCaseView { Name = c.Name, Passed = c.Passed, Message = c.Message })],
    };
}

internal sealed class SelfTestCaseView
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("passed")]
    public required bool Passed { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }
}

internal sealed class ModelErrorView
{
    [JsonPropertyName("message")]
    public required string Message { get; init; }

    [JsonPropertyName("error_type")]
    public required string ErrorType { get; init; }

    [JsonPropertyName("time")]
    public required DateTimeOffset Time { get; init; }

    public static ModelErrorView? From(ModelError? error) => error is null ? null : new()
    {
        Message = error.Message,
        ErrorType = error.ErrorType,
        Time = error.Time,
    };
}

/// <summary>Writes enum values in snake_case (<c>self_testing</c>), as the rest of the wire format.</summary>
internal sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;
