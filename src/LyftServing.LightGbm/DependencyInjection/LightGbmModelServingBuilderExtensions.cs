using LyftServing;
using LyftServing.LightGbm;
using LyftServing.LightGbm.Internal;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds LightGBM models and the <c>lightgbm</c> runtime to an <see cref="IModelServingBuilder"/>.</summary>
public static class LightGbmModelServingBuilderExtensions
{
    /// <summary>The name of the model runtime that serves native LightGBM model files: <c>lightgbm</c>, as in <c>model.json</c>'s <c>{"runtime": "lightgbm"}</c>.</summary>
    public const string RuntimeName = "lightgbm";

    /// <summary>
    /// Registers the <c>lightgbm</c> runtime: any model whose <c>model.json</c> (or configuration
    /// <c>ModelServing:Models:{name}:Runtime</c>) names <c>lightgbm</c> is served from its version's
    /// single <c>.txt</c> LightGBM model file, with no C# code, with <see cref="Tensors"/> as features
    /// and output: <c>{"features": [[row], …]}</c> or one row by the model's feature names in,
    /// <c>{"score": [[k values], …]}</c> out. Its settings are <see cref="LightGbmModelSettings"/>,
    /// bound per model from <c>ModelServing:Models:{name}:LightGbm</c> and per version from
    /// <c>model.json</c>'s <c>properties</c>. Safe to call more than once.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IModelServingBuilder AddLightGbmRuntime(this IModelServingBuilder builder) =>
        builder.AddModelRuntime<LightGbmTensorModel, Tensors, Tensors, LightGbmModelSettings>(RuntimeName, LightGbmModelSettings.SectionName);

    /// <summary>
    /// Adds a LightGBM model with named tensors as features and output (<see cref="Tensors"/>), served
    /// from the default store: see <see cref="AddLightGbmModel(IModelServingBuilder, string, Action{ModelBuilder{Tensors, Tensors}})"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The model name; also its folder in the store.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid model name.</exception>
    /// <exception cref="InvalidOperationException">A model with this name is already registered.</exception>
    public static IModelServingBuilder AddLightGbmModel(this IModelServingBuilder builder, string name) =>
        builder.AddLightGbmModel(name, configure: null);

    /// <summary>
    /// Adds a LightGBM model with named tensors as features and output (<see cref="Tensors"/>): the
    /// same model code as the <c>lightgbm</c> runtime, declared in code so that <paramref name="configure"/>
    /// can choose its store, version policy and settings. Its client is
    /// <c>[FromKeyedServices("name")] IModelClient&lt;Tensors, Tensors&gt;</c>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The model name; also its folder in the store.</param>
    /// <param name="configure">Configures the model (store, version policy, self-tests, <c>ConfigureLightGbm</c>), or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid model name.</exception>
    /// <exception cref="InvalidOperationException">A model with this name is already registered.</exception>
    public static IModelServingBuilder AddLightGbmModel(this IModelServingBuilder builder, string name, Action<ModelBuilder<Tensors, Tensors>>? configure) =>
        builder.AddLightGbmRuntime().AddRuntimeModel<Tensors, Tensors>(name, RuntimeName, sp => ActivatorUtilities.CreateInstance<LightGbmTensorModel>(sp), configure);

    /// <summary>
    /// Adds a LightGBM model with typed features and output for in-process callers, served from the
    /// default store: see <see cref="AddLightGbmModel{TFeatures, TOutput}(IModelServingBuilder, string, LightGbmFeatureWriter{TFeatures}, LightGbmScoreReader{TOutput}, Action{ModelBuilder{TFeatures, TOutput}})"/>.
    /// </summary>
    /// <typeparam name="TFeatures">The features type.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The model name; also its folder in the store.</param>
    /// <param name="write">Writes one row of features, in the model file's feature order.</param>
    /// <param name="read">Builds the output from one row of scores.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid model name.</exception>
    /// <exception cref="InvalidOperationException">A model with this name is already registered.</exception>
    public static IModelServingBuilder AddLightGbmModel<TFeatures, TOutput>(
        this IModelServingBuilder builder,
        string name,
        LightGbmFeatureWriter<TFeatures> write,
        LightGbmScoreReader<TOutput> read) =>
        builder.AddLightGbmModel(name, write, read, configure: null);

    /// <summary>
    /// Adds a LightGBM model with typed features and output for in-process callers:
    /// <paramref name="write"/> fills one row of the model's features from <typeparamref name="TFeatures"/>
    /// and <paramref name="read"/> builds <typeparamref name="TOutput"/> from the row's scores. One row
    /// runs through LightGBM's fast single-row API on the calling thread's native buffers and allocates nothing in
    /// the steady state; batches run through the matrix API. Its client is
    /// <c>[FromKeyedServices("name")] IModelClient&lt;TFeatures, TOutput&gt;</c>.
    /// </summary>
    /// <typeparam name="TFeatures">The features type.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The model name; also its folder in the store.</param>
    /// <param name="write">Writes one row of features, in the model file's feature order; it runs on the hot path, concurrently, and should not allocate.</param>
    /// <param name="read">Builds the output from one row of scores; it runs on the hot path, concurrently.</param>
    /// <param name="configure">Configures the model (store, version policy, self-tests, <c>ConfigureLightGbm</c>), or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// The JSON path (<c>IJsonModelClient</c>, <c>testdata.json</c>) binds <typeparamref name="TFeatures"/>
    /// and <typeparamref name="TOutput"/> with System.Text.Json.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid model name.</exception>
    /// <exception cref="InvalidOperationException">A model with this name is already registered.</exception>
    public static IModelServingBuilder AddLightGbmModel<TFeatures, TOutput>(
        this IModelServingBuilder builder,
        string name,
        LightGbmFeatureWriter<TFeatures> write,
        LightGbmScoreReader<TOutput> read,
        Action<ModelBuilder<TFeatures, TOutput>>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(read);
        return builder.AddLightGbmRuntime().AddRuntimeModel<TFeatures, TOutput>(
            name,
            RuntimeName,
            sp => new LightGbmTypedModel<TFeatures, TOutput>(write, read, sp.GetRequiredService<IModelSettings<LightGbmModelSettings>>(), sp.GetRequiredService<ILoggerFactory>()),
            configure);
    }

    /// <summary>Configures the model's LightGBM settings in code (see <see cref="LightGbmModelSettings"/>).</summary>
    /// <typeparam name="TFeatures">The model's features type.</typeparam>
    /// <typeparam name="TOutput">The model's output type.</typeparam>
    /// <param name="model">The model's builder.</param>
    /// <param name="configure">Sets the settings.</param>
    /// <returns>The model's builder.</returns>
    /// <exception cref="InvalidOperationException">The model is not served by the <c>lightgbm</c> runtime.</exception>
    public static ModelBuilder<TFeatures, TOutput> ConfigureLightGbm<TFeatures, TOutput>(this ModelBuilder<TFeatures, TOutput> model, Action<LightGbmModelSettings> configure)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(configure);
        return model.ConfigureSettings(configure);
    }
}
