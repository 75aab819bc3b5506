using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using LyftServing.OnnxRuntime.Internal;

namespace LyftServing.OnnxRuntime.Tests.TestSupport;

/// <summary>Builds and starts a generic host with model serving, as a service would.</summary>
public static class TestHost
{
    public static async Task<IHost> StartAsync(Action<IModelServingBuilder> configure, IDictionary<string, string?>? configuration = null, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        builder.Services.AddLogging();
        services?.Invoke(builder.Services);
        // A section passed to AddModelServing must exist: tests without configuration pass none.
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

    /// <summary>Creates model code directly (as the host does) and loads a version, for capabilities the host does not expose, such as batches.</summary>
    public static async Task<(TModel Model, ServiceProvider Services)> LoadModelAsync<TModel, TFeatures, TOutput>(
        string modelName, string versionDirectory, Action<IModelServingBuilder> configure, Func<IServiceProvider, TModel>? create = null)
        where TModel : class, IModel<TFeatures, TOutput>
    {
        var services = new ServiceCollection();
        services.AddLogging();
        configure(services.AddModelServing());
        var provider = services.BuildServiceProvider();
        var model = create is null ? ActivatorUtilities.CreateInstance<TModel>(provider) : create(provider);
        var artifact = await ModelArtifact.FromDirectoryAsync(modelName, Path.GetFileName(versionDirectory), versionDirectory);
        await model.LoadAsync(artifact, CancellationToken.None);
        return (model, provider);
    }

    /// <summary>Creates the model code of a typed ONNX model as <c>AddOnnxModel&lt;TFeatures, TOutput&gt;</c> registers it.</summary>
    internal static OnnxTypedModel<TFeatures, TOutput> Typed<TFeatures, TOutput>(IServiceProvider services, string modelName, Action<OnnxMappingBuilder<TFeatures, TOutput>> map)
    {
        var mapping = new OnnxMappingBuilder<TFeatures, TOutput>(modelName);
        map(mapping);
        return new OnnxTypedModel<TFeatures, TOutput>(mapping.Build(), services.GetRequiredService<IModelSettings<OnnxModelSettings>>(), services.GetRequiredService<ILoggerFactory>());
    }
}
