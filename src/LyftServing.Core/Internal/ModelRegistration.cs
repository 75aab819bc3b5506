namespace LyftServing.Internal;

/// <summary>A model the host serves: its name, how it was declared, and how to create its host.</summary>
internal abstract class ModelRegistration(string name, string? runtime)
{
    public string Name { get; } = name;

    /// <summary>Gets the runtime that serves the model, or <see langword="null"/> for a model added with <c>AddModel</c>.</summary>
    public string? Runtime { get; } = runtime;

    public abstract ModelHost CreateHost(ModelHostContext context);
}

internal sealed class ModelRegistration<TModel, TFeatures, TOutput>(string name, string? runtime) : ModelRegistration(name, runtime)
    where TModel : class, IModel<TFeatures, TOutput>
{
    public override ModelHost CreateHost(ModelHostContext context) =>
        new ModelHost<TFeatures, TOutput>(context, sp => Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance<TModel>(sp));
}

/// <summary>A runtime registered with <c>AddModelRuntime</c>: creates a registration for any model that names it.</summary>
internal sealed record ModelRuntimeRegistration(string Name, Type ModelType, Func<string, ModelRegistration> CreateRegistration);
