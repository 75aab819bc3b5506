using LyftServing.LightGbm.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LyftServing.LightGbm.Tests.TestSupport;

/// <summary>Builds and starts a generic host with model serving, as a service would; or loads model code directly.</summary>
public static class TestHost
{
    public static async Task<IHost> StartAsync(Action<IModelServingBuilder> configure, IDictionary<string, string?>? configuration = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        builder.Services.AddLogging();
        var section = builder.Configuration.GetSection("ModelServing");
        configure(section.Exists() ? builder.Services.AddModelServing(section) : builder.Services.AddModelServing());
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return host;
    }

    /// <summary>Starts a host serving the fixture models through the lightgbm runtime (discovered from their model.json).</summary>
    public static Task<IHost> StartFixturesAsync(params (string Key, string Value)[] settings) =>
        StartAsync(
            b => b.AddLightGbmRuntime(),
            new Dictionary<string, string?>(settings.Select(s => KeyValuePair.Create($"ModelServing:{s.Key}", (string?)s.Value)))
            {
                ["ModelServing:StoreRoot"] = Fixtures.Root,
                ["ModelServing:DiscoverModels"] = "true",
            });

    /// <summary>Loads a version with the untyped model code of the lightgbm runtime, as the host does.</summary>
    internal static async Task<LightGbmTensorModel> LoadTensorModelAsync(string model, string? versionDirectory = null, Action<LightGbmModelSettings>? configure = null) =>
        await LoadAsync<LightGbmTensorModel, Tensors, Tensors>(model, versionDirectory, configure, sp => ActivatorUtilities.CreateInstance<LightGbmTensorModel>(sp));

    /// <summary>Loads a version with the typed model code of <c>AddLightGbmModel&lt;TFeatures, TOutput&gt;</c>.</summary>
    internal static async Task<LightGbmTypedModel<TFeatures, TOutput>> LoadTypedModelAsync<TFeatures, TOutput>(
        string model, LightGbmFeatureWriter<TFeatures> write, LightGbmScoreReader<TOutput> read, string? versionDirectory = null) =>
        await LoadAsync<LightGbmTypedModel<TFeatures, TOutput>, TFeatures, TOutput>(model, versionDirectory, null, sp => new LightGbmTypedModel<TFeatures, TOutput>(
            write, read, sp.GetRequiredService<IModelSettings<LightGbmModelSettings>>(), sp.GetRequiredService<ILoggerFactory>()));

    private static async Task<TModel> LoadAsync<TModel, TFeatures, TOutput>(string model, string? versionDirectory, Action<LightGbmModelSettings>? configure, Func<IServiceProvider, TModel> create)
        where TModel : IModel<TFeatures, TOutput>
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddModelServing().AddLightGbmModel(model, m => m.ConfigureLightGbm(configure ?? (_ => { })));
        var provider = services.BuildServiceProvider();
        var created = create(provider);
        var directory = versionDirectory ?? Fixtures.VersionDirectory(model);
        var artifact = await ModelArtifact.FromDirectoryAsync(model, Path.GetFileName(directory), directory);
        await created.LoadAsync(artifact, CancellationToken.None);
        return created;
    }
}
