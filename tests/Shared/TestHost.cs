// The Web SDK (the TorchSharp tests) imports these namespaces implicitly; the other projects that link this file do not.
#pragma warning disable IDE0005
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
#pragma warning restore IDE0005

namespace LyftServing.Tests.Shared;

/// <summary>Starts a generic host with model serving, as a service would, or loads model code directly. Linked into the adapter tests.</summary>
internal static class TestHost
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

    /// <summary>Creates model code as the host does (through dependency injection) and loads a version folder, for what the host does not expose, such as batches.</summary>
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
}
