using System.Text.Json;
using LyftServing;
using LyftServing.Internal;
using Microsoft.Extensions.Options;

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
        var services = builder.Services;
        if (services.Any(d => !d.IsKeyedService && d.ImplementationInstance is ModelRegistration r && r.Name == name))
        {
            throw new InvalidOperationException($"A model named '{name}' is already registered; model names must be unique.");
        }

        services.AddSingleton<ModelRegistration>(ModelRegistration<TFeatures, TOutput>.Of<TModel>(name, runtime: null));
        services.Configure<ModelServingOptions>(o => ModelServingOptionsSetup.GetOrAdd(o, name));
        services.AddKeyedSingleton<IModelClient<TFeatures, TOutput>>(name, (sp, _) => sp.GetRequiredService<ModelRegistry>().GetClient<TFeatures, TOutput>(name));
        configure?.Invoke(new ModelBuilder<TFeatures, TOutput>(name, services));
        return builder;
    }

    /// <summary>
    /// Registers a model runtime: model code that serves any model whose configuration
    /// (<c>ModelServing:Models:{name}:Runtime</c>) or <c>model.json</c> names
    /// <paramref name="runtimeName"/>, with no C# model class of the user's. Adapter packages
    /// call this (for example <c>AddOnnxRuntime()</c> registers <c>onnx</c>).
    /// </summary>
    /// <typeparam name="TModel">The model code of the runtime.</typeparam>
    /// <typeparam name="TFeatures">The features type; bound from JSON for untyped callers.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="runtimeName">The runtime name (<see cref="ModelNames.Pattern"/>).</param>
    /// <returns>The builder.</returns>
    /// <remarks>Registering the same runtime type under the same name again is a no-op.</remarks>
    /// <exception cref="InvalidOperationException">Another runtime is registered under this name.</exception>
    public static IModelServingBuilder AddModelRuntime<TModel, TFeatures, TOutput>(this IModelServingBuilder builder, string runtimeName)
        where TModel : class, IModel<TFeatures, TOutput>
    {
        ArgumentNullException.ThrowIfNull(builder);
        ModelNames.ThrowIfInvalid(runtimeName);
        var existing = builder.Services
            .Where(d => !d.IsKeyedService)
            .Select(d => d.ImplementationInstance)
            .OfType<ModelRuntimeRegistration>()
            .FirstOrDefault(r => r.Name == runtimeName);
        if (existing is not null)
        {
            return existing.ModelType == typeof(TModel)
                ? builder
                : throw new InvalidOperationException($"A model runtime named '{runtimeName}' is already registered ({existing.ModelType}).");
        }

        builder.Services.AddSingleton(new ModelRuntimeRegistration(
            runtimeName,
            typeof(TModel),
            modelName => ModelRegistration<TFeatures, TOutput>.Of<TModel>(modelName, runtimeName)));
        return builder;
    }

    /// <summary>
    /// Registers a per-model settings type, bound for each model from
    /// <c>ModelServing:Models:{model}:{sectionName}</c> (unknown keys rejected) and read by model
    /// code as named options: <c>IOptionsMonitor&lt;TSettings&gt;.Get(artifact.ModelName)</c>.
    /// Configuration overrides what <c>ModelBuilder.ConfigureSettings</c> sets in code.
    /// </summary>
    /// <typeparam name="TSettings">The settings type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="sectionName">The key of the settings under a model's configuration, such as <c>Onnx</c>.</param>
    /// <returns>The builder.</returns>
    public static IModelServingBuilder AddModelSettings<TSettings>(this IModelServingBuilder builder, string sectionName)
        where TSettings : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(sectionName);
        var services = builder.Services;
        if (!services.Any(d => !d.IsKeyedService && d.ImplementationInstance is ModelSettingsRegistration r && r.SectionName == sectionName && r.SettingsType == typeof(TSettings)))
        {
            services.AddSingleton(new ModelSettingsRegistration(sectionName, typeof(TSettings)));
            services.AddSingleton<IPostConfigureOptions<TSettings>>(sp => new ModelSettingsSetup<TSettings>(sectionName, sp.GetServices<ModelServingConfiguration>()));
        }

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
