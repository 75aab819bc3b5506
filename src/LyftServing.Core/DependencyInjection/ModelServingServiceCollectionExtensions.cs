using LyftServing;
using LyftServing.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds model serving to a service collection.</summary>
public static class ModelServingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the model host: the model registry (<see cref="IModelProvider"/>, <see cref="IModelManager"/>),
    /// keyed <see cref="IModelClient{TFeatures, TOutput}"/> services, the hosted service that loads
    /// models at start and drains them at stop, and telemetry. Safe to call more than once.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>A builder to add models with.</returns>
    public static IModelServingBuilder AddModelServing(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<ModelServingOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelServingOptions>, ModelServingOptionsValidator>());
        services.AddOptions<ModelJsonOptions>();
        services.TryAddSingleton<ModelServingMetrics>();
        services.TryAddSingleton<PredictionLogWriter>();
        services.TryAddSingleton<StoreLocations>();
        services.TryAddSingleton<ModelRegistry>();
        services.TryAddSingleton<LiveOptions>();
        services.TryAddSingleton<IModelProvider>(sp => sp.GetRequiredService<ModelRegistry>());
        services.TryAddSingleton<IModelManager>(sp => sp.GetRequiredService<ModelRegistry>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ModelServingHostedService>());

        // Any model, also one declared in configuration or discovered in the store, can be
        // injected with [FromKeyedServices("name")]; AddModel registers its own key directly.
        if (!services.Any(d => d.IsKeyedService && d.ServiceType == typeof(IModelClient<,>)))
        {
            services.AddKeyedSingleton(typeof(IModelClient<,>), KeyedService.AnyKey, typeof(KeyedModelClient<,>));
        }

        return new ModelServingBuilder(services);
    }

    /// <summary>
    /// Adds the model host (see <see cref="AddModelServing(IServiceCollection)"/>) and binds
    /// <see cref="ModelServingOptions"/> to <paramref name="configuration"/>. Configuration overrides
    /// what builder calls set. Unknown keys are errors naming their full path (such as
    /// <c>ModelServing:Models:fare:Verison</c>), and so is a section that does not exist. Changes to
    /// the configuration while the service runs apply to the running models; an invalid change is
    /// logged and the last valid options stay.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration section, for example <c>Configuration.GetSection("ModelServing")</c>.</param>
    /// <returns>A builder to add models with.</returns>
    public static IModelServingBuilder AddModelServing(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddModelServing();
        services.AddSingleton(new ModelServingConfiguration(configuration));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<ModelServingOptions>, ModelServingOptionsSetup>());
        return builder;
    }

    private sealed class ModelServingBuilder(IServiceCollection services) : IModelServingBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
