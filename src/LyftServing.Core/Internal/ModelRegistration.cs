using Microsoft.Extensions.DependencyInjection;

namespace LyftServing.Internal;

/// <summary>A model the host serves: its name, how it was declared, and how to create its lifecycle.</summary>
internal abstract class ModelRegistration(string name, string? runtime, Type modelType)
{
    public string Name { get; } = name;

    /// <summary>Gets the runtime that serves the model, or <see langword="null"/> for a model added with <c>AddModel</c> and its own model code.</summary>
    public string? Runtime { get; } = runtime;

    /// <summary>Gets the type of the model code (for messages and the settings it reads).</summary>
    public Type ModelType { get; } = modelType;

    public abstract IModelLifecycle CreateLifecycle(ModelContext context, ModelServingOptions servingOptions, ModelOptions options);
}

/// <summary>A model whose model code a factory creates, one instance per loaded version.</summary>
internal sealed class ModelRegistration<TFeatures, TOutput>(string name, string? runtime, Type modelType, Func<IServiceProvider, IModel<TFeatures, TOutput>> factory)
    : ModelRegistration(name, runtime, modelType)
{
    /// <summary>A registration that creates <typeparamref name="TModel"/> through dependency injection.</summary>
    public static ModelRegistration<TFeatures, TOutput> Of<TModel>(string name, string? runtime)
        where TModel : class, IModel<TFeatures, TOutput> =>
        new(name, runtime, typeof(TModel), sp => ActivatorUtilities.CreateInstance<TModel>(sp));

    public override IModelLifecycle CreateLifecycle(ModelContext context, ModelServingOptions servingOptions, ModelOptions options) =>
        new ModelLifecycle<TFeatures, TOutput>(context, servingOptions, options, factory);
}

/// <summary>A runtime registered with <c>AddModelRuntime</c>: its zero-code model code and the settings type its models read.</summary>
internal sealed record ModelRuntimeRegistration(string Name, Type ModelType, Type? SettingsType, Func<string, ModelRegistration> CreateRegistration);
