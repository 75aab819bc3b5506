using LyftServing.Server;
using Microsoft.AspNetCore.TestHost;

namespace LyftServing.Tests.Shared;

/// <summary>
/// The sample model server (samples/LyftServing.Server) composed as its Program composes it
/// (content root: the sample's folder, so its appsettings.json and bundled store), on the
/// in-memory test server. Linked into the test projects that call it.
/// </summary>
internal static class SampleServerApp
{
    /// <summary>Starts the server.</summary>
    /// <param name="args">Command-line arguments, such as <c>--ModelServing:StoreRoot=/other</c>.</param>
    /// <returns>The started app; dispose it to stop it.</returns>
    public static async Task<WebApplication> StartAsync(params string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = System.IO.Path.Combine(RepositoryRoot.FullPath, "samples", "LyftServing.Server"),
        });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.AddModelServer();
        var app = builder.Build();
        app.MapModelServer();
        await app.StartAsync();
        return app;
    }
}
