using LyftServing;
using LyftServing.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds model runtimes, models whose code a runtime creates, and per-model settings.</summary>
public static partial class ModelServingBuilderExtensions
{
    /// <summary>
    /// Registers a model runtime: model code that serves any model whose configuration
    /// (<c>ModelServing:Models:{name}:Runtime</c>) or <c>model.json</c> names
    /// <paramref name="runtimeName"/>, with no C# model class of the user's. Runtime packages call
    /// this (for example <c>AddOnnxRuntime()</c> registers <c>onnx</c>).
    /// </summary>
    /// <typeparam name="TModel">The model code of the runtime.</typeparam>
    /// <typeparam name="TFeatures">The features type; bound from JSON for untyped callers.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="runtimeName">The runtime name (<see cref="ModelNames.Pattern"/>).</param>
    /// <returns>The builder.</returns>
    /// <remarks>Registering the same runtime again is a no-op.</remarks>
    /// <exception cref="InvalidOperationException">Another runtime is registered under this name.</exception>
    public static IModelServingBuilder AddModelRuntime<TModel, TFeatures, TOutput>(this IModelServingBuilder builder, string runtimeName)
        where TModel : class, IModel<TFeatures, TOutput> =>
        builder.AddModelRuntime<TModel, TFeatures, TOutput>(runtimeName, settingsType: null);

    /// <summary>
    /// Registers a model runtime (see <see cref="AddModelRuntime{TModel, TFeatures, TOutput}(IModelServingBuilder, string)"/>)
    /// whose models read settings of type <typeparamref name="TSettings"/>: bound per model from
    /// <c>ModelServing:Models:{model}:{settingsSection}</c> and per version from <c>model.json</c>'s
    /// <c>properties</c>, checked at start-up, set in code with <c>ModelBuilder.ConfigureSettings</c>,
    /// and read by model code through <see cref="IModelSettings{TSettings}"/>.
    /// </summary>
    /// <typeparam name="TModel">The model code of the runtime.</typeparam>
    /// <typeparam name="TFeatures">The features type; bound from JSON for untyped callers.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <typeparam name="TSettings">The settings type: a class with a parameterless constructor, validated with data annotations.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="runtimeName">The runtime name (<see cref="ModelNames.Pattern"/>), as in <c>model.json</c>'s <c>{"runtime": "onnx"}</c>.</param>
    /// <param name="settingsSection">The key of the settings under a model's configuration, such as <c>Onnx</c>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>Registering the same runtime again is a no-op.</remarks>
    /// <exception cref="InvalidOperationException">Another runtime is registered under this name, or another settings type under this section.</exception>
    public static IModelServingBuilder AddModelRuntime<TModel, TFeatures, TOutput, TSettings>(this IModelServingBuilder builder, string runtimeName, string settingsSection)
        where TModel : class, IModel<TFeatures, TOutput>
        where TSettings : class, new() =>
        builder.AddModelSettings<TSettings>(settingsSection).AddModelRuntime<TModel, TFeatures, TOutput>(runtimeName, typeof(TSettings));

    /// <summary>
    /// Adds a model whose model code a runtime creates: the typed models of a runtime package
    /// (for example <c>AddOnnxModel&lt;TFeatures, TOutput&gt;</c>) call this with a factory that
    /// hands the model code what it needs, such as the user's mapping. The model reads the
    /// runtime's settings. Its client is <c>[FromKeyedServices("name")] IModelClient&lt;TFeatures, TOutput&gt;</c>.
    /// </summary>
    /// <typeparam name="TFeatures">The features type.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The model name (<see cref="ModelNames.Pattern"/>); also the model's folder in the store.</param>
    /// <param name="runtimeName">The runtime, registered first with <c>AddModelRuntime</c>.</param>
    /// <param name="factory">Creates the model code of one version; called once per loaded version.</param>
    /// <param name="configure">Configures the model (store, version policy, settings), or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid model name.</exception>
    /// <exception cref="InvalidOperationException">A model with this name is already registered, or the runtime is not.</exception>
    public static IModelServingBuilder AddRuntimeModel<TFeatures, TOutput>(
        this IModelServingBuilder builder,
        string name,
        string runtimeName,
        Func<IServiceProvider, IModel<TFeatures, TOutput>> factory,
        Action<ModelBuilder<TFeatures, TOutput>>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        ModelNames.ThrowIfInvalid(name);
        var runtime = FindRuntime(builder.Services, runtimeName)
            ?? throw new InvalidOperationException($"Model '{name}' names the runtime '{runtimeName}', which is not registered; register it with AddModelRuntime first.");
        return builder.AddModel(new ModelRegistration<TFeatures, TOutput>(name, runtime.Name, typeof(IModel<TFeatures, TOutput>), factory), configure);
    }

    /// <summary>
    /// Registers a per-model settings type, bound for each model from
    /// <c>ModelServing:Models:{model}:{sectionName}</c> and each version's <c>model.json</c>
    /// <c>properties</c> (unknown keys rejected, data annotations checked) and read by model code
    /// through <see cref="IModelSettings{TSettings}"/>. Configuration overrides <c>properties</c>,
    /// which override what <c>ModelBuilder.ConfigureSettings</c> sets in code. Runtimes register
    /// theirs with <c>AddModelRuntime</c>; call this for settings of your own model code.
    /// </summary>
    /// <typeparam name="TSettings">The settings type: a class with a parameterless constructor.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="sectionName">The key of the settings under a model's configuration, such as <c>Onnx</c>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>Registering the same type under the same section again is a no-op.</remarks>
    /// <exception cref="InvalidOperationException">The type is registered under another section, or another type under this section.</exception>
    public static IModelServingBuilder AddModelSettings<TSettings>(this IModelServingBuilder builder, string sectionName)
        where TSettings : class, new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(sectionName);
        var services = builder.Services;
        var existing = Registered<ModelSettingsRegistration>(services)
            .FirstOrDefault(r => r.SettingsType == typeof(TSettings) || string.Equals(r.SectionName, sectionName, StringComparison.OrdinalIgnoreCase));
        if (existing is not null)
        {
            return existing.SettingsType == typeof(TSettings) && string.Equals(existing.SectionName, sectionName, StringComparison.OrdinalIgnoreCase)
                ? builder
                : throw new InvalidOperationException(
                    $"The settings section '{sectionName}' of {typeof(TSettings).Name} clashes with '{existing.SectionName}' of {existing.SettingsType.Name}; each settings type has one section of its own.");
        }

        services.AddSingleton(new ModelSettingsRegistration(sectionName, typeof(TSettings)));
        services.TryAddSingleton<ModelSettingsProvider<TSettings>>();
        services.TryAddSingleton<IModelSettings<TSettings>>(sp => sp.GetRequiredService<ModelSettingsProvider<TSettings>>());
        return builder;
    }

    private static IModelServingBuilder AddModelRuntime<TModel, TFeatures, TOutput>(this IModelServingBuilder builder, string runtimeName, Type? settingsType)
        where TModel : class, IModel<TFeatures, TOutput>
    {
        ArgumentNullException.ThrowIfNull(builder);
        ModelNames.ThrowIfInvalid(runtimeName);
        if (FindRuntime(builder.Services, runtimeName) is { } existing)
        {
            return existing.ModelType == typeof(TModel) && existing.SettingsType == settingsType
                ? builder
                : throw new InvalidOperationException($"A model runtime named '{runtimeName}' is already registered ({existing.ModelType}).");
        }

        builder.Services.AddSingleton(new ModelRuntimeRegistration(
            runtimeName,
            typeof(TModel),
            settingsType,
            modelName => ModelRegistration<TFeatures, TOutput>.Of<TModel>(modelName, runtimeName)));
        return builder;
    }

    internal static ModelRuntimeRegistration? FindRuntime(IServiceCollection services, string runtimeName) =>
        Registered<ModelRuntimeRegistration>(services).FirstOrDefault(r => r.Name == runtimeName);

    internal static IEnumerable<T> Registered<T>(IServiceCollection services)
        where T : class =>
        services.Where(d => !d.IsKeyedService).Select(d => d.ImplementationInstance).OfType<T>();
}
