using LyftServing.LightGbm.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LyftServing.LightGbm.Tests.TestSupport;

/// <summary>Starts a host on the LightGBM fixtures, or loads the lightgbm runtime's model code directly (on <see cref="TestHost"/>).</summary>
internal static class LightGbmHost
{
    /// <summary>Starts a host serving the fixture models through the lightgbm runtime (discovered from their model.json).</summary>
    public static Task<IHost> StartFixturesAsync(params (string Key, string Value)[] settings) =>
        TestHost.StartAsync(
            b => b.AddLightGbmRuntime(),
            new Dictionary<string, string?>(settings.Select(s => KeyValuePair.Create($"ModelServing:{s.Key}", (string?)s.Value)))
            {
                ["ModelServing:StoreRoot"] = Fixtures.Root,
                ["ModelServing:DiscoverModels"] = "true",
            });

    /// <summary>Loads a version with the untyped model code of the lightgbm runtime, as the host does.</summary>
    public static async Task<LightGbmTensorModel> LoadTensorModelAsync(string model, string? versionDirectory = null, Action<LightGbmModelSettings>? configure = null) =>
        await LoadAsync<LightGbmTensorModel, Tensors, Tensors>(model, versionDirectory, configure, sp => ActivatorUtilities.CreateInstance<LightGbmTensorModel>(sp));

    /// <summary>Loads a version with the typed model code of <c>AddLightGbmModel&lt;TFeatures, TOutput&gt;</c>.</summary>
    public static async Task<LightGbmTypedModel<TFeatures, TOutput>> LoadTypedModelAsync<TFeatures, TOutput>(
        string model, LightGbmFeatureWriter<TFeatures> write, LightGbmScoreReader<TOutput> read, string? versionDirectory = null) =>
        await LoadAsync<LightGbmTypedModel<TFeatures, TOutput>, TFeatures, TOutput>(model, versionDirectory, null, sp => new LightGbmTypedModel<TFeatures, TOutput>(
            write, read, sp.GetRequiredService<IModelSettings<LightGbmModelSettings>>(), sp.GetRequiredService<ILoggerFactory>()));

    private static async Task<TModel> LoadAsync<TModel, TFeatures, TOutput>(string model, string? versionDirectory, Action<LightGbmModelSettings>? configure, Func<IServiceProvider, TModel> create)
        where TModel : class, IModel<TFeatures, TOutput>
    {
        var (created, _) = await TestHost.LoadModelAsync<TModel, TFeatures, TOutput>(
            model, versionDirectory ?? Fixtures.VersionDirectory(model), b => b.AddLightGbmModel(model, m => m.ConfigureLightGbm(configure ?? (_ => { }))), create);
        return created;
    }
}
