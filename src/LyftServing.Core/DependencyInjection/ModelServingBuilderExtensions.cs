using System.Text.Json;
using LyftServing;
using LyftServing.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds models, runtimes and settings to an <see cref="IModelServingBuilder"/>.</summary>
public static partial class ModelServingBuilderExtensions
{
    /// <summary>
    /// Adds a model served by C# model code. Its client is a keyed service named
    /// <paramref name="name"/>: <c>[FromKeyedServices("driver_eta")] IModelClient&lt;EtaFeatures, double&gt;</c>.
    /// </summary>
    /// <typeparam name="TModel">The model code; one instance per loaded version, created through dependency injection.</typeparam>
    /// <typeparam name="TFeatures">The features type.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The model name (<see cref="ModelNames.Pattern"/>); also the model's folder in the store.</param>
    /// <param name="configure">Configures the model (store, version policy, polling, self-tests).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid model name.</exception>
    /// <exception cref="InvalidOperationException">A model with this name is already registered.</exception>
    public static IModelServingBuilder AddModel<TModel, TFeatures, TOutput>(this IModelServingBuilder builder, string name, Action<ModelBuilder<TFeatures, TOutput>>? configure = null)
        where TModel : class, IModel<TFeatures, TOutput>
    {
        ArgumentNullException.ThrowIfNull(builder);
        ModelNames.ThrowIfInvalid(name);
        return builder.AddModel(ModelRegistration<TFeatures, TOutput>.Of<TModel>(name, runtime: null), configure);
    }

    private static IModelServingBuilder AddModel<TFeatures, TOutput>(this IModelServingBuilder builder, ModelRegistration<TFeatures, TOutput> registration, Action<ModelBuilder<TFeatures, TOutput>>? configure)
    {
        var services = builder.Services;
        var name = registration.Name;
        if (services.Any(d => !d.IsKeyedService && d.ImplementationInstance is ModelRegistration r && r.Name == name))
        {
            throw new InvalidOperationException($"A model named '{name}' is already registered; model names must be unique.");
        }

        services.AddSingleton<ModelRegistration>(registration);
        services.Configure<ModelServingOptions>(o => ModelServingOptionsSetup.GetOrAdd(o, name));
        services.AddKeyedSingleton<IModelClient<TFeatures, TOutput>>(name, (sp, _) => sp.GetRequiredService<ModelRegistry>().GetClient<TFeatures, TOutput>(name));
        configure?.Invoke(new ModelBuilder<TFeatures, TOutput>(name, services));
        return builder;
    }

    /// <summary>Uses a store for every model that names no store of its own. The host never disposes it.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="store">The store.</param>
    /// <returns>The builder.</returns>
    public static IModelServingBuilder UseModelStore(this IModelServingBuilder builder, IModelStore store)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(store);
        builder.Services.AddSingleton(store);
        return builder;
    }

    /// <summary>Configures the host's options in code (configuration, when bound, overrides them).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets options.</param>
    /// <returns>The builder.</returns>
    public static IModelServingBuilder Configure(this IModelServingBuilder builder, Action<ModelServingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Configures how features and outputs are bound from and written to JSON.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the serializer options.</param>
    /// <returns>The builder.</returns>
    public static IModelServingBuilder ConfigureJson(this IModelServingBuilder builder, Action<JsonSerializerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure<ModelJsonOptions>(o => configure(o.SerializerOptions));
        return builder;
    }
}
