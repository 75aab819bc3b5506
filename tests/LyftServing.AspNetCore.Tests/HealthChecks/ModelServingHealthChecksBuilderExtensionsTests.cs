using System.Net;
using LyftServing.AspNetCore.Tests.Infrastructure;
using LyftServing.AspNetCore.Tests.TestModels;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LyftServing.AspNetCore.Tests.HealthChecks;

public class ModelServingHealthChecksBuilderExtensionsTests
{
    [Fact]
    public async Task AddModelServingChecks_EveryRequiredModelServing_ReadyAndLive()
    {
        await using var app = await TestApp.StartAsync();

        Assert.Equal((HttpStatusCode.OK, "Healthy"), await GetAsync(app, "/health/ready"));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await GetAsync(app, "/health/live"));
        var report = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Tags.Contains(ModelServingHealthChecks.ReadyTag));
        var entry = report.Entries[ModelServingHealthChecks.ReadyCheckName];
        Assert.Equal("2 of 3 models serving.", entry.Description);
        Assert.Equal("2", entry.Data["driver_eta"]);
        Assert.Equal("none", entry.Data["not_ready"]);
    }

    [Fact]
    public async Task AddModelServingChecks_NoModels_NotReadyButLive()
    {
        await using var app = await TestApp.StartAsync(models: (_, _) => { }, map: TestApp.MapHealth);

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), await GetAsync(app, "/health/ready"));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await GetAsync(app, "/health/live"));
        var report = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal("No models are registered or discovered, so nothing can be served.", report.Entries[ModelServingHealthChecks.ReadyCheckName].Description);
    }

    [Fact]
    public async Task AddModelServingChecks_OnlyOptionalModelsAndNoneServing_NotReady()
    {
        await using var app = await TestApp.StartAsync(
            models: (serving, _) => serving.AddModel<EtaModel, EtaFeatures, EtaOutput>("ghost", m => m.Optional()),
            map: TestApp.MapHealth);

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), await GetAsync(app, "/health/ready"));
        var report = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal("No model has a version ready to serve.", report.Entries[ModelServingHealthChecks.ReadyCheckName].Description);
    }

    [Fact]
    public async Task AddModelServingChecks_AfterHostStopped_RequiredModelWithoutPrimaryIsNotReady()
    {
        var app = await TestApp.StartAsync(map: TestApp.MapHealth);
        var checks = app.Services.GetRequiredService<HealthCheckService>();
        await app.StopAsync();

        var report = await checks.CheckHealthAsync(c => c.Tags.Contains(ModelServingHealthChecks.ReadyTag));

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Equal("Required models without a primary version: driver_eta, failing.", report.Entries[ModelServingHealthChecks.ReadyCheckName].Description);
        await app.DisposeAsync();
    }

    [Fact]
    public void AddModelServingChecks_FailureStatusGiven_RegistersReadinessWithIt()
    {
        var services = new ServiceCollection();
        services.AddHealthChecks().AddModelServingChecks(HealthStatus.Degraded);
        using var provider = services.BuildServiceProvider();

        var registrations = provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;

        var ready = Assert.Single(registrations, r => r.Name == ModelServingHealthChecks.ReadyCheckName);
        Assert.Equal(HealthStatus.Degraded, ready.FailureStatus);
        Assert.Equal([ModelServingHealthChecks.ReadyTag], ready.Tags);
        var live = Assert.Single(registrations, r => r.Name == ModelServingHealthChecks.LiveCheckName);
        Assert.Equal([ModelServingHealthChecks.LiveTag], live.Tags);
    }

    [Fact]
    public async Task AddModelServingChecks_WithoutAddModelServing_ReportsWhatIsMissing()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddModelServingChecks();
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Unhealthy, report.Entries[ModelServingHealthChecks.ReadyCheckName].Status);
        Assert.Equal("Model serving is not set up: call services.AddModelServing().", report.Entries[ModelServingHealthChecks.ReadyCheckName].Description);
        Assert.Equal(HealthStatus.Healthy, report.Entries[ModelServingHealthChecks.LiveCheckName].Status);
    }

    private static async Task<(HttpStatusCode, string)> GetAsync(TestApp app, string path)
    {
        using var response = await app.Client.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
