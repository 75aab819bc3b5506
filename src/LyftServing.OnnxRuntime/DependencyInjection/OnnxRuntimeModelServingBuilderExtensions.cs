using LyftServing;
using LyftServing.OnnxRuntime;
using LyftServing.OnnxRuntime.Internal;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds ONNX models and the <c>onnx</c> runtime to an <see cref="IModelServingBuilder"/>.</summary>
public static class OnnxRuntimeModelServingBuilderExtensions
{
    /// <summary>The name of the model runtime that serves ONNX files: <c>onnx</c>, as in <c>model.json</c>'s <c>{"runtime": "onnx"}</c>.</summary>
    public const string RuntimeName = "onnx";

    /// <summary>
    /// Registers the <c>onnx</c> runtime: any model whose <c>model.json</c> (or configuration
    /// <c>ModelServing:Models:{name}:Runtime</c>) names <c>onnx</c> is served from its version's
    /// single <c>.onnx</c> file, with no C# code, with <see cref="Tensors"/> as features and
    /// output. Its settings are <see cref="OnnxModelSettings"/>, bound per model from
    /// <c>ModelServing:Models:{name}:Onnx</c> and per version from <c>model.json</c>'s
    /// <c>properties</c>. Safe to call more than once.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IModelServingBuilder AddOnnxRuntime(this IModelServingBuilder builder) =>
        builder.AddModelRuntime<OnnxTensorModel, Tensors, Tensors, OnnxModelSettings>(RuntimeName, OnnxModelSettings.SectionName);

    /// <summary>
    /// Adds an ONNX model with named tensors as features and output (<see cref="Tensors"/>), served from
    /// the default store: see <see cref="AddOnnxModel(IModelServingBuilder, string, Action{ModelBuilder{Tensors, Tensors}})"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The model name; also its folder in the store.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid model name.</exception>
    /// <exception cref="InvalidOperationException">A model with this name is already registered.</exception>
    public static IModelServingBuilder AddOnnxModel(this IModelServingBuilder builder, string name) =>
        builder.AddOnnxModel(name, configure: null);

    /// <summary>
    /// Adds an ONNX model with named tensors as features and output (<see cref="Tensors"/>): the
    /// same model code as the <c>onnx</c> runtime, declared in code so that <paramref name="configure"/>
    /// can choose its store, version policy and settings. Its client is
    /// <c>[FromKeyedServices("name")] IModelClient&lt;Tensors, Tensors&gt;</c>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The model name; also its folder in the store.</param>
    /// <param name="configure">Configures the model (store, version policy, self-tests, <c>ConfigureOnnx</c>), or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid model name.</exception>
    /// <exception cref="InvalidOperationException">A model with this name is already registered.</exception>
    public static IModelServingBuilder AddOnnxModel(this IModelServingBuilder builder, string name, Action<ModelBuilder<Tensors, Tensors>>? configure) =>
        builder.AddOnnxRuntime().AddRuntimeModel<Tensors, Tensors>(name, RuntimeName, sp => ActivatorUtilities.CreateInstance<OnnxTensorModel>(sp), configure);

    /// <summary>
    /// Adds an ONNX model with typed features and output for in-process callers, served from the
    /// default store: see <see cref="AddOnnxModel{TFeatures, TOutput}(IModelServingBuilder, string, Action{OnnxMappingBuilder{TFeatures, TOutput}}, Action{ModelBuilder{TFeatures, TOutput}})"/>.
    /// </summary>
    /// <typeparam name="TFeatures">The features type.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The model name; also its folder in the store.</param>
    /// <param name="map">Maps the inputs (<c>MapInput</c>) and the output (<c>MapOutput</c> or <c>MapOutputs</c>).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid model name.</exception>
    /// <exception cref="InvalidOperationException">A model with this name is already registered, or the mapping maps no input or no output.</exception>
    public static IModelServingBuilder AddOnnxModel<TFeatures, TOutput>(
        this IModelServingBuilder builder,
        string name,
        Action<OnnxMappingBuilder<TFeatures, TOutput>> map) =>
        builder.AddOnnxModel(name, map, configure: null);

    /// <summary>
    /// Adds an ONNX model with typed features and output for in-process callers:
    /// <paramref name="map"/> says how to write each input from <typeparamref name="TFeatures"/> and
    /// how to read <typeparamref name="TOutput"/> from the outputs. Calls write straight into
    /// pinned, pre-bound buffers and allocate nothing in the steady state. Its client is
    /// <c>[FromKeyedServices("name")] IModelClient&lt;TFeatures, TOutput&gt;</c>.
    /// </summary>
    /// <typeparam name="TFeatures">The features type.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The model name; also its folder in the store.</param>
    /// <param name="map">Maps the inputs (<c>MapInput</c>) and the output (<c>MapOutput</c> or <c>MapOutputs</c>).</param>
    /// <param name="configure">Configures the model (store, version policy, self-tests, <c>ConfigureOnnx</c>), or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Each version checks the mapping against its ONNX file when it loads; a mismatch fails that
    /// load with an error naming the input or output. The JSON path (<c>IJsonModelClient</c>,
    /// <c>testdata.json</c>) binds <typeparamref name="TFeatures"/> and <typeparamref name="TOutput"/> with System.Text.Json.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid model name.</exception>
    /// <exception cref="InvalidOperationException">A model with this name is already registered, or the mapping maps no input or no output.</exception>
    public static IModelServingBuilder AddOnnxModel<TFeatures, TOutput>(
        this IModelServingBuilder builder,
        string name,
        Action<OnnxMappingBuilder<TFeatures, TOutput>> map,
        Action<ModelBuilder<TFeatures, TOutput>>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(map);
        ModelNames.ThrowIfInvalid(name);
        var mapping = new OnnxMappingBuilder<TFeatures, TOutput>(name);
        map(mapping);
        var built = mapping.Build();
        return builder.AddOnnxRuntime().AddRuntimeModel<TFeatures, TOutput>(
            name,
            RuntimeName,
            sp => new OnnxTypedModel<TFeatures, TOutput>(built, sp.GetRequiredService<IModelSettings<OnnxModelSettings>>(), sp.GetRequiredService<ILoggerFactory>()),
            configure);
    }

    /// <summary>Configures the model's ONNX Runtime settings in code (see <see cref="OnnxModelSettings"/>).</summary>
    /// <typeparam name="TFeatures">The model's features type.</typeparam>
    /// <typeparam name="TOutput">The model's output type.</typeparam>
    /// <param name="model">The model's builder.</param>
    /// <param name="configure">Sets the settings.</param>
    /// <returns>The model's builder.</returns>
    /// <exception cref="InvalidOperationException">The model is not served by the <c>onnx</c> runtime.</exception>
    public static ModelBuilder<TFeatures, TOutput> ConfigureOnnx<TFeatures, TOutput>(this ModelBuilder<TFeatures, TOutput> model, Action<OnnxModelSettings> configure)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(configure);
        return model.ConfigureSettings(configure);
    }
}
