using Microsoft.Extensions.DependencyInjection;

namespace LyftServing.Internal;

/// <summary>
/// The keyed <see cref="IModelClient{TFeatures, TOutput}"/> for any name that <c>AddModel</c> did not
/// register directly: models declared in configuration or discovered in the store at start-up.
/// </summary>
internal sealed class KeyedModelClient<TFeatures, TOutput>([ServiceKey] object? key, ModelRegistry registry) : IModelClient<TFeatures, TOutput>
{
    private readonly string _name = key as string
        ?? throw new InvalidOperationException($"IModelClient<{typeof(TFeatures).Name}, {typeof(TOutput).Name}> is keyed by model name; '{key}' is not a string.");

    private IModelClient<TFeatures, TOutput>? _client;

    public string ModelName => _name;

    public ValueTask<TOutput> PredictAsync(TFeatures features, CancellationToken cancellationToken = default) =>
        (_client ??= registry.GetClient<TFeatures, TOutput>(_name)).PredictAsync(features, cancellationToken);
}
