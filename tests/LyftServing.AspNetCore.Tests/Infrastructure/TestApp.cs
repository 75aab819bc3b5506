using System.Text.Json;
using LyftServing.AspNetCore.Tests.TestModels;
using LyftServing.Testing;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LyftServing.AspNetCore.Tests.Infrastructure;

/// <summary>
/// An in-memory ASP.NET Core app (TestServer) serving test models from an <see cref="InMemoryModelStore"/>,
/// with a fake clock so the status view is deterministic and logs captured by a fake logger.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private bool _stopped;

    private TestApp(WebApplication app, InMemoryModelStore store)
    {
        App = app;
        Store = store;
        Client = app.GetTestClient();
    }

    public WebApplication App { get; }

    public InMemoryModelStore Store { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => App.Services;

    public FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    /// <summary>
    /// Starts an app. By default it serves <c>driver_eta</c> (versions 1 and 2; 2 primary, 1 loaded
    /// beside it), <c>failing</c>, and the optional <c>not_ready</c> (no versions), and maps
    /// <c>MapModelServing()</c>, <c>MapModelServing("/timed")</c> with a 50 ms request timeout,
    /// health checks and OpenAPI.
    /// </summary>
    public static async Task<TestApp> StartAsync(
        Action<IModelServingBuilder, InMemoryModelStore>? models = null,
        Action<WebApplication>? map = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders().AddFakeLogging().SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Start));
        builder.Services.AddSingleton<CallCounter>();
        builder.Services.AddRequestTimeouts();
        builder.Services.AddHealthChecks().AddModelServingChecks();
        builder.Services.AddOpenApi();

        var store = new InMemoryModelStore();
        var serving = builder.Services.AddModelServing()
            .UseModelStore(store)
            .ConfigureJson(o => o.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        (models ?? AddStandardModels)(serving, store);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseRequestTimeouts();
        app.Use((context, next) =>
        {
            RequestTimeoutProbe.Token.Value = context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken ?? default;
            return next(context);
        });
        (map ?? MapStandard)(app);
        await app.StartAsync();
        if (models is null)
        {
            await app.Services.GetRequiredService<IModelManager>().LoadVersionAsync("driver_eta", "1");
        }

        return new TestApp(app, store);
    }

    public static void AddStandardModels(IModelServingBuilder serving, InMemoryModelStore store)
    {
        store.AddVersion("driver_eta", "1", EtaModel.Files(intercept: 60, perKm: 90, perStop: 30));
        store.AddVersion("driver_eta", "2", EtaModel.Files(intercept: 30, perKm: 100, perStop: 45));
        store.AddVersion("failing", "1", new Dictionary<string, string>());
        serving
            .AddModel<EtaModel, EtaFeatures, EtaOutput>("driver_eta")
            .AddModel<FailingModel, FailingFeatures, double>("failing")
            .AddModel<EtaModel, EtaFeatures, EtaOutput>("not_ready", m => m.Optional());
    }

    public static void MapStandard(WebApplication app)
    {
        app.MapModelServing();
        app.MapModelServing("/timed").WithRequestTimeout(TimeSpan.FromMilliseconds(50));
        MapHealth(app);
        app.MapOpenApi();
    }

    public static void MapHealth(WebApplication app)
    {
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ModelServingHealthChecks.ReadyTag) });
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ModelServingHealthChecks.LiveTag) });
    }

    /// <summary>Stops the app once.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await App.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await StopAsync();
        await App.DisposeAsync();
        Store.Dispose();
    }
}

/// <summary>The standard app, shared by the tests of a class.</summary>
public sealed class TestAppFixture : IAsyncLifetime
{
    public TestApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await TestApp.StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}
