using LyftServing;
using LyftServing.Testing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers fake model clients.</summary>
public static class FakeModelClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers a fake client as the keyed <see cref="IModelClient{TFeatures, TOutput}"/> of its
    /// model, so classes that inject <c>[FromKeyedServices("fare")] IModelClient&lt;Trip, decimal&gt;</c>
    /// get it, with or without <c>AddModelServing</c> (a model registered with that name is not loaded
    /// for callers that inject it this way, but the host still serves it by name).
    /// </summary>
    /// <typeparam name="TFeatures">The features type.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <param name="services">The services.</param>
    /// <param name="client">The fake client; registered as an instance, never disposed by the container.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddFakeModelClient<TFeatures, TOutput>(this IServiceCollection services, FakeModelClient<TFeatures, TOutput> client)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(client);
        services.AddKeyedSingleton<IModelClient<TFeatures, TOutput>>(client.ModelName, client);
        return services;
    }
}
