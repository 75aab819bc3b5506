using System.Diagnostics.Metrics;
using Microsoft.Extensions.Primitives;

namespace LyftServing.Internal;

/// <summary>One model's lifecycle, as the registry sees it whatever the model's types.</summary>
internal interface IModelLifecycle
{
    string Name { get; }

    bool Required { get; }

    Type FeaturesType { get; }

    Type OutputType { get; }

    /// <summary>Gets when the model's store stopped answering (its versions could not be listed), or <see langword="null"/> while it answers.</summary>
    DateTimeOffset? StoreUnreachableSince { get; }

    IJsonModelClient JsonClient { get; }

    /// <summary>Chooses and loads the first primary (falling back past versions that cannot serve) and the shadows.</summary>
    /// <exception cref="ModelLoadException">No version can serve.</exception>
    Task StartAsync(CancellationToken cancellationToken);

    void StartPolling();

    /// <summary>Takes new options (live configuration): rebuilds the call pipeline and re-applies the version policy.</summary>
    void ApplyOptions(ModelServingOptions servingOptions, ModelOptions options);

    /// <summary>Stops serving, drains and disposes every version, bounded by <paramref name="cancellationToken"/>; safe to call more than once.</summary>
    Task StopAsync(CancellationToken cancellationToken);

    Task RefreshAsync(CancellationToken cancellationToken);

    Task PromoteAsync(string version, CancellationToken cancellationToken);

    Task PinAsync(string version, CancellationToken cancellationToken);

    Task UnpinAsync(CancellationToken cancellationToken);

    Task<string> RollBackAsync(CancellationToken cancellationToken);

    Task<ModelVersionStatus> ShadowAsync(string version, double? sampleRate, CancellationToken cancellationToken);

    Task<ModelVersionStatus> LoadVersionAsync(string version, CancellationToken cancellationToken);

    Task UnloadVersionAsync(string version, CancellationToken cancellationToken);

    ModelStatus GetStatus();

    IChangeToken GetChangeToken();

    void CountVersions(Span<int> byState);

    void ObserveActive(List<Measurement<long>> measurements);
}
