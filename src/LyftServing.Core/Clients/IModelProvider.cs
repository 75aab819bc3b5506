using System.Diagnostics.CodeAnalysis;

namespace LyftServing;

/// <summary>Finds models by name: typed clients, JSON clients and the list of served models.</summary>
/// <remarks>Thread-safe singleton. Models declared in configuration or discovered in the store are found here too.</remarks>
public interface IModelProvider
{
    /// <summary>Gets the names of the models this service serves, in ordinal order.</summary>
    IReadOnlyList<string> ModelNames { get; }

    /// <summary>Gets a typed client for a model.</summary>
    /// <typeparam name="TFeatures">The model's features type.</typeparam>
    /// <typeparam name="TOutput">The model's output type.</typeparam>
    /// <param name="modelName">The model's name.</param>
    /// <returns>The client.</returns>
    /// <exception cref="ModelNotFoundException">No model has this name.</exception>
    /// <exception cref="InvalidOperationException">The model has other features or output types.</exception>
    IModelClient<TFeatures, TOutput> GetClient<TFeatures, TOutput>(string modelName);

    /// <summary>Gets a JSON client for a model, if the model exists.</summary>
    /// <param name="modelName">The model's name.</param>
    /// <param name="client">The client, when found.</param>
    /// <returns>Whether a model has this name.</returns>
    bool TryGetJsonClient(string modelName, [NotNullWhen(true)] out IJsonModelClient? client);
}
