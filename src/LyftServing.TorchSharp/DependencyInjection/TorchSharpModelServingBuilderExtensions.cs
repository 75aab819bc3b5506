using LyftServing;
using LyftServing.TorchSharp;
using LyftServing.TorchSharp.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds TorchScript models, the <c>torchscript</c> runtime and TorchSharp models written in C# to an <see cref="IModelServingBuilder"/>.</summary>
public static class TorchSharpModelServingBuilderExtensions
{
    /// <summary>The name of the model runtime that serves TorchScript files: <c>torchscript</c>, as in <c>model.json</c>'s <c>{"runtime": "torchscript"}</c>.</summary>
    public const string RuntimeName = "torchscript";

    /// <summary>
    /// Registers the <c>torchscript</c> runtime: any model whose <c>model.json</c> (or configuration
    /// <c>ModelServing:Models:{name}:Runtime</c>) names <c>torchscript</c> is served from its
    /// version's single <c>.pt</c> file (<c>torch.jit.save</c>), with no C# code, with
    /// <see cref="Tensors"/> as features and output. Its inputs and outputs are declared in
    /// <c>model.json</c>'s <c>properties</c> (a TorchScript file does not name them), with the rest of
    /// its <see cref="TorchSharpSettings"/>, which also bind per model from
    /// <c>ModelServing:Models:{name}:TorchSharp</c>. Safe to call more than once.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IModelServingBuilder AddTorchScriptRuntime(this IModelServingBuilder builder) =>
        builder.AddModelRuntime<TorchScriptModel, Tensors, Tensors, TorchSharpSettings>(RuntimeName, TorchSharpSettings.SectionName);

    /// <summary>
    /// Adds a TorchScript model with named tensors as features and output (<see cref="Tensors"/>):
    /// the same model code as the <c>torchscript</c> runtime, declared in code so that
    /// <paramref name="configure"/> can choose its store, version policy and settings
    /// (<c>ConfigureTorchSharp</c>). Its client is <c>[FromKeyedServices("name")] IModelClient&lt;Tensors, Tensors&gt;</c>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The model name; also its folder in the store.</param>
    /// <param name="configure">Configures the model, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid model name.</exception>
    /// <exception cref="InvalidOperationException">A model with this name is already registered.</exception>
    public static IModelServingBuilder AddTorchScriptModel(this IModelServingBuilder builder, string name, Action<ModelBuilder<Tensors, Tensors>>? configure = null) =>
        builder.AddTorchScriptRuntime().AddRuntimeModel<Tensors, Tensors>(name, RuntimeName, sp => ActivatorUtilities.CreateInstance<TorchScriptModel>(sp), configure);

    /// <summary>
    /// Adds a model whose code derives from <see cref="TorchSharpModel{TFeatures, TOutput}"/>: a
    /// TorchSharp module written in C# (or a TorchScript file) with typed features and output, and
    /// registers the <see cref="TorchSharpSettings"/> it reads. Its client is
    /// <c>[FromKeyedServices("name")] IModelClient&lt;TFeatures, TOutput&gt;</c>.
    /// </summary>
    /// <typeparam name="TModel">The model code; one instance per loaded version, created through dependency injection.</typeparam>
    /// <typeparam name="TFeatures">The features type.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The model name; also its folder in the store.</param>
    /// <param name="configure">Configures the model (store, version policy, self-tests, <c>ConfigureTorchSharp</c>), or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid model name.</exception>
    /// <exception cref="InvalidOperationException">A model with this name is already registered.</exception>
    public static IModelServingBuilder AddTorchSharpModel<TModel, TFeatures, TOutput>(this IModelServingBuilder builder, string name, Action<ModelBuilder<TFeatures, TOutput>>? configure = null)
        where TModel : TorchSharpModel<TFeatures, TOutput> =>
        builder.AddModelSettings<TorchSharpSettings>(TorchSharpSettings.SectionName).AddModel<TModel, TFeatures, TOutput>(name, configure);

    /// <summary>Configures the model's TorchSharp settings in code (see <see cref="TorchSharpSettings"/>); <c>model.json</c> properties and configuration override them.</summary>
    /// <typeparam name="TFeatures">The model's features type.</typeparam>
    /// <typeparam name="TOutput">The model's output type.</typeparam>
    /// <param name="model">The model's builder.</param>
    /// <param name="configure">Sets the settings.</param>
    /// <returns>The model's builder.</returns>
    /// <exception cref="InvalidOperationException">The model does not read <see cref="TorchSharpSettings"/> (another runtime serves it).</exception>
    public static ModelBuilder<TFeatures, TOutput> ConfigureTorchSharp<TFeatures, TOutput>(this ModelBuilder<TFeatures, TOutput> model, Action<TorchSharpSettings> configure)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(configure);
        return model.ConfigureSettings(configure);
    }
}
