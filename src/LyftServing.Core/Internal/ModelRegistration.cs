using Microsoft.Extensions.DependencyInjection;

namespace LyftServing.Internal;

/// <summary>A model the host serves: its name, how it was declared, and how to create its lifecycle.</summary>
internal abstract class ModelRegistration(string name, string? runtime)
{
    public string Name { get; } = name;

    /// <summary>Gets the runtime that serves the model, or <see langword="null"/> for a model added with <c>AddModel</c>.</summary>
    public string? Runtime { get; } = runtime;

    public abstract IModelLifecycle CreateLifecycle(ModelContext context, ModelServingOptions servingOptions, ModelOptions options);
}

/// <summary>A registration whose model instances (one per loaded version) come from <paramref name="factory"/>.</summary>
internal sealed class ModelRegistration<TFeatures, TOutput>(string name, string? runtime, Func<IServiceProvider, IModel<TFeatures, TOutput>> factory)
    : ModelRegistration(name, runtime)
{
    /// <summary>A registration that creates <typeparamref name="TModel"/> through dependency injection.</summary>
    public static ModelRegistration<TFeatures, TOutput> Of<TModel>(string name, string? runtime)
        where TModel : class, IModel<TFeatures, TOutput> =>
        new(name, runtime, sp => ActivatorUtilities.CreateInstance<TModel>(sp));

    public override IModelLifecycle CreateLifecycle(ModelContext context, ModelServingOptions servingOptions, ModelOptions options) =>
        new ModelLifecycle<TFeatures, TOutput>(context, servingOptions, options, factory);
}

/// <summary>A runtime registered with <c>AddModelRuntime</c>: creates a registration for any model that names it.</summary>
internal sealed record ModelRuntimeRegistration(string Name, Type ModelType, Func<string, ModelRegistration> CreateRegistration);
