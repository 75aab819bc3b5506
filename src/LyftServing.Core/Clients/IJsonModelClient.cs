using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace LyftServing;

/// <summary>
/// Calls a model with JSON features and returns its output as JSON: the untyped path used by the
/// HTTP endpoint and other transports.
/// </summary>
/// <remarks>Thread-safe. Features are bound with the options configured through <c>ConfigureJson</c>.</remarks>
public interface IJsonModelClient
{
    /// <summary>Gets the model's name.</summary>
    string ModelName { get; }

    /// <summary>
    /// Gets how the model's features are read from JSON: their .NET type and the serializer options
    /// configured with <c>ConfigureJson</c>. Transports describe the features with it (a JSON schema
    /// for an OpenAPI document) and check whether they can call the model with their own wire format
    /// (<see cref="Tensors"/> for a tensor protocol).
    /// </summary>
    JsonTypeInfo FeaturesTypeInfo { get; }

    /// <summary>Gets how the model's output is written as JSON: its .NET type and the configured serializer options.</summary>
    JsonTypeInfo OutputTypeInfo { get; }

    /// <summary>Gets whether a version of the model is loaded, so that calls naming it can be answered.</summary>
    /// <param name="version">The version.</param>
    /// <returns><see langword="true"/> when the version is loaded (primary, shadow or side by side).</returns>
    /// <remarks>Transports check the request's version with this before binding its features, so an unknown version is "not found" whatever the features are.</remarks>
    bool HasVersion(string version);

    /// <summary>
    /// Binds <paramref name="features"/> to the model's features type and predicts; paths in errors
    /// are rooted at <paramref name="featuresPath"/>, the features' path in the caller's document
    /// (such as <c>$.features</c> for the HTTP endpoint), so they can be shown to the caller as they are.
    /// </summary>
    /// <param name="features">The features as JSON.</param>
    /// <param name="version">A loaded version to call, or <see langword="null"/> for the primary version.</param>
    /// <param name="featuresPath">The JSON path of <paramref name="features"/> in the caller's document; <c>$</c> (the default) when they are the whole document.</param>
    /// <param name="cancellationToken">Cancels the call while it waits.</param>
    /// <returns>The output and the version that produced it.</returns>
    /// <exception cref="ModelFeaturesException">The features do not bind to the features type, or do not fit the model; the message names the JSON path.</exception>
    /// <exception cref="ModelNotFoundException"><paramref name="version"/> is not a loaded version (checked before the features are bound).</exception>
    /// <exception cref="ModelNotReadyException">The model has no primary version.</exception>
    ValueTask<JsonPrediction> PredictAsync(JsonElement features, string? version, string featuresPath = "$", CancellationToken cancellationToken = default);

    /// <summary>
    /// Predicts with features a transport has already read into the model's features type (the type
    /// of <see cref="FeaturesTypeInfo"/>), such as the <see cref="Tensors"/> of a tensor protocol;
    /// the call goes through the same pipeline (limits, batching, shadows, prediction log) as every other.
    /// </summary>
    /// <param name="features">The features, of the model's features type.</param>
    /// <param name="version">A loaded version to call, or <see langword="null"/> for the primary version.</param>
    /// <param name="cancellationToken">Cancels the call while it waits.</param>
    /// <returns>The output and the version that produced it.</returns>
    /// <exception cref="ArgumentException"><paramref name="features"/> is not of the model's features type.</exception>
    /// <exception cref="ModelFeaturesException">The features do not fit the model.</exception>
    /// <exception cref="ModelNotFoundException"><paramref name="version"/> is not a loaded version.</exception>
    /// <exception cref="ModelNotReadyException">The model has no primary version.</exception>
    ValueTask<JsonPrediction> PredictFeaturesAsync(object features, string? version, CancellationToken cancellationToken = default);
}
