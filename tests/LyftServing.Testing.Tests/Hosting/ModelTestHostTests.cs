using LyftServing.Testing.Tests.TestModels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LyftServing.Testing.Tests.Hosting;

public class ModelTestHostTests
{
    [Fact]
    public async Task StartNewAsync_ServiceRegistration_ServesItsModelsWithTheFakeClock()
    {
        using var store = FareStore();

        await using var host = await ModelTestHost.StartNewAsync(b => b.Services.AddModelServing().UseModelStore(store).AddModel<FareModel, Trip, decimal>("fare"));

        Assert.Same(host.TimeProvider, host.Services.GetRequiredService<TimeProvider>());
        Assert.IsType<FakeTimeProvider>(host.Services.GetRequiredService<TimeProvider>());
        Assert.Equal(14.5m, await host.GetClient<Trip, decimal>("fare").PredictAsync(new Trip(10, 20)));
        ModelAssert.Serves(host.Manager, "fare", "1");
        Assert.Contains(host.Logs.GetSnapshot(), l => l.Id.Id == 8 && l.Message.Contains("'fare'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_ServiceRegistersItsOwnClock_TheFakeClockReplacesIt()
    {
        await using var host = ModelTestHost.Create(b => b.Services.AddSingleton(TimeProvider.System).AddModelServing());

        Assert.Same(host.TimeProvider, Assert.Single(host.Services.GetServices<TimeProvider>()));
    }

    [Fact]
    public async Task Create_OptionsConfiguration_OverridesTheServicesConfiguration()
    {
        var options = new ModelTestHostOptions { Configuration = { ["ModelServing:StoreRoot"] = "elsewhere" } };

        await using var host = ModelTestHost.Create(b => b.Services.AddModelServing(b.Configuration.GetSection("ModelServing")), options);

        Assert.Equal("elsewhere", host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ModelServingOptions>>().Value.StoreRoot);
    }

    [Fact]
    public async Task WaitForPrimaryAsync_NewVersionFoundByAPoll_ReturnsOnceItServes()
    {
        using var store = FareStore();
        await using var host = await ModelTestHost.StartNewAsync(b => b.Services.AddModelServing().UseModelStore(store)
            .AddModel<FareModel, Trip, decimal>("fare", m => m.WatchForNewVersions(TimeSpan.FromSeconds(30))));
        store.AddVersion("fare", "2", new Dictionary<string, string> { ["tariff.txt"] = "2.5 1 0.25" });

        host.TimeProvider.Advance(TimeSpan.FromSeconds(30));
        var status = await host.WaitForPrimaryAsync("fare", "2");

        Assert.Equal("2", status.PrimaryVersion);
        Assert.Equal(17.5m, await host.GetClient<Trip, decimal>("fare").PredictAsync(new Trip(10, 20)));
    }

    [Fact]
    public async Task WaitForPrimaryAsync_VersionNeverServes_TimesOutShowingTheStatus()
    {
        using var store = FareStore();
        await using var host = await ModelTestHost.StartNewAsync(b => b.Services.AddModelServing().UseModelStore(store).AddModel<FareModel, Trip, decimal>("fare"));

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => host.WaitForPrimaryAsync("fare", "9", TimeSpan.FromMilliseconds(50)));

        Assert.Contains("Model 'fare': primary '1'; version '1' ready, primary", timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CollectMetric_Predictions_RecordsDurationsOfTheModel()
    {
        using var store = FareStore();
        await using var host = ModelTestHost.Create(b => b.Services.AddModelServing().UseModelStore(store).AddModel<FareModel, Trip, decimal>("fare"));
        using var durations = host.CollectMetric<double>("lyftserving.inference.duration");
        using var selfTests = host.CollectMetric<long>("lyftserving.self_test.runs");
        await host.StartAsync();

        await host.GetClient<Trip, decimal>("fare").PredictAsync(new Trip(1, 1));

        Assert.Single(ModelAssert.Recorded(durations, "fare", "1"));
        Assert.Single(ModelAssert.Recorded(selfTests, "fare", "1", (ModelServingTelemetry.SelfTestResultTag, "pass")));
    }

    internal static InMemoryModelStore FareStore()
    {
        var store = new InMemoryModelStore();
        store.AddVersion("fare", "1", new Dictionary<string, string>
        {
            ["tariff.txt"] = "2.5 1 0.1",
            ["testdata.json"] = """[{"name": "ten km", "features": {"distanceKm": 10, "minutes": 20}, "expected": 14.5}]""",
        });
        return store;
    }
}
