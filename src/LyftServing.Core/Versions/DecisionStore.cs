using System.Text.Json;
using System.Text.Json.Serialization;

namespace LyftServing.Internal;

/// <summary>
/// Reads and writes one model's <see cref="ModelDecision"/> through its store: JSON in the store's
/// decision record, changed by read–modify–write with the store's optimistic-concurrency stamp.
/// </summary>
internal sealed class DecisionStore(IModelStore store, string modelName, TimeProvider timeProvider)
{
    private const int MaxAttempts = 8;

    /// <summary>Reads the decision; <see cref="ModelDecision.None"/> when none was written.</summary>
    /// <exception cref="ModelStoreException">The record cannot be read, or is not a valid decision (its entries are checked like every other name).</exception>
    public async ValueTask<(ModelDecision Decision, string? Stamp)> ReadAsync(CancellationToken cancellationToken)
    {
        var stored = await store.ReadDecisionAsync(modelName, cancellationToken).ConfigureAwait(false);
        return stored is not null ? (Parse(stored.Content), stored.Stamp) : (ModelDecision.None, null);
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the stored decision and writes it back, retrying when
    /// another replica wrote first; a change that returns <see langword="null"/> leaves it as it is.
    /// </summary>
    /// <returns>The decision now stored.</returns>
    public async ValueTask<ModelDecision> UpdateAsync(Func<ModelDecision, ModelDecision?> change, string reason, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (current, stamp) = await ReadAsync(cancellationToken).ConfigureAwait(false);
            if (change(current) is not { } changed)
            {
                return current;
            }

            var next = new ModelDecision(changed) { Reason = reason, DecidedAt = timeProvider.GetUtcNow(), DecidedBy = Environment.MachineName };
            if (await store.TryWriteDecisionAsync(modelName, Serialize(next), stamp, cancellationToken).ConfigureAwait(false))
            {
                return next;
            }
        }

        throw new ModelStoreException(modelName, null, $"Model '{modelName}': the decision record kept changing under {MaxAttempts} attempts to update it; try again.");
    }

    internal static byte[] Serialize(ModelDecision decision) =>
        JsonSerializer.SerializeToUtf8Bytes(Document.From(decision), DecisionJsonContext.Default.Document);

    internal ModelDecision Parse(ReadOnlyMemory<byte> content)
    {
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize(content.Span, DecisionJsonContext.Default.Document);
        }
        catch (JsonException ex)
        {
            throw Invalid($"it is not valid JSON at '{ex.Path}': {ex.Message}", ex);
        }

        if (document is null)
        {
            return ModelDecision.None;
        }

        if (document.Primary is { } primary && !ModelNames.IsValid(primary))
        {
            throw Invalid($"its primary version {ModelNames.Describe(primary)}");
        }

        var shadows = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (version, rate) in document.Shadows ?? [])
        {
            if (!ModelNames.IsValid(version))
            {
                throw Invalid($"its shadow version {ModelNames.Describe(version)}");
            }

            if (rate is < 0 or > 1 || double.IsNaN(rate))
            {
                throw Invalid($"the sample rate {rate} of shadow version '{version}' is not between 0 and 1");
            }

            shadows[version] = rate;
        }

        return new ModelDecision
        {
            PrimaryVersion = document.Primary,
            Pinned = document.Pinned,
            NewestWhenDecided = ModelNames.IsValid(document.NewestWhenDecided) ? document.NewestWhenDecided : null,
            ContentHash = document.ContentHash,
            Shadows = shadows,
            Reason = document.Reason,
            DecidedAt = document.DecidedAt,
            DecidedBy = document.DecidedBy,
        };
    }

    private ModelStoreException Invalid(string why, Exception? inner = null) =>
        new(modelName, null, $"Model '{modelName}': the decision record in its store is not valid: {why}.", inner);

    /// <summary>The record's JSON shape (snake_case), separate from the public type so either can evolve.</summary>
    internal sealed class Document
    {
        public int Schema { get; set; } = 1;

        public string? Primary { get; set; }

        public bool Pinned { get; set; }

        public string? NewestWhenDecided { get; set; }

        public string? ContentHash { get; set; }

        public Dictionary<string, double>? Shadows { get; set; }

        public string? Reason { get; set; }

        public DateTimeOffset? DecidedAt { get; set; }

        public string? DecidedBy { get; set; }

        public static Document From(ModelDecision decision) => new()
        {
            Primary = decision.PrimaryVersion,
            Pinned = decision.Pinned,
            NewestWhenDecided = decision.NewestWhenDecided,
            ContentHash = decision.ContentHash,
            Shadows = decision.Shadows.Count == 0 ? null : new Dictionary<string, double>(decision.Shadows, StringComparer.Ordinal),
            Reason = decision.Reason,
            DecidedAt = decision.DecidedAt,
            DecidedBy = decision.DecidedBy,
        };
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(DecisionStore.Document))]
internal sealed partial class DecisionJsonContext : JsonSerializerContext;
