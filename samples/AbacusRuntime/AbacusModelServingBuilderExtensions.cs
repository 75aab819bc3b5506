using Abacus.LyftServing;
using LyftServing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the <c>abacus</c> runtime to model serving.</summary>
public static class AbacusModelServingBuilderExtensions
{
    public const string RuntimeName = "abacus";

    /// <summary>Serves every model whose <c>model.json</c> or configuration names the <c>abacus</c> runtime.</summary>
    public static IModelServingBuilder AddAbacusRuntime(this IModelServingBuilder builder) =>
        builder.AddModelRuntime<AbacusModel, Tensors, Tensors, AbacusSettings>(RuntimeName, AbacusSettings.SectionName);

    /// <summary>Sets a model's Abacus settings in code; fails for a model another runtime serves.</summary>
    public static ModelBuilder<TFeatures, TOutput> ConfigureAbacus<TFeatures, TOutput>(this ModelBuilder<TFeatures, TOutput> model, Action<AbacusSettings> configure) =>
        model.ConfigureSettings(configure);
}
