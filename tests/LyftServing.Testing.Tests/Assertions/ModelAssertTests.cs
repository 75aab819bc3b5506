using LyftServing.Testing.Tests.Hosting;
using LyftServing.Testing.Tests.TestModels;
using Microsoft.Extensions.DependencyInjection;

namespace LyftServing.Testing.Tests.Assertions;

public class ModelAssertTests
{
    [Fact]
    public async Task Serves_OtherVersion_ThrowsShowingTheStatus()
    {
        using var store = ModelTestHostTests.FareStore();
        await using var host = await ModelTestHost.StartNewAsync(b => b.Services.AddModelServing().UseModelStore(store).AddModel<FareModel, Trip, decimal>("fare"));

        var error = Assert.Throws<ModelAssertionException>(() => ModelAssert.Serves(host.Manager, "fare", "2"));

        Assert.Equal("Expected model 'fare' to serve version '2'. Model 'fare': primary '1'; version '1' ready, primary, self-tests 1 passed 0 failed.", error.Message);
    }

    [Fact]
    public async Task SelfTestsPassed_FailingCase_ThrowsListingIt()
    {
        using var store = ModelTestHostTests.FareStore();
        store.AddVersion("fare", "2", new Dictionary<string, string>
        {
            ["tariff.txt"] = "2.5 1 0.25",
            ["testdata.json"] = """[{"name": "ten km", "features": {"distanceKm": 10, "minutes": 20}, "expected": 14.5}]""",
        });
        await using var host = await ModelTestHost.StartNewAsync(b => b.Services.AddModelServing().UseModelStore(store).AddModel<FareModel, Trip, decimal>("fare"));

        var error = Assert.Throws<ModelAssertionException>(() => ModelAssert.SelfTestsPassed(host.Manager, "fare", "2"));

        Assert.Contains("version '2' failed 1 of 1 self-test cases", error.Message, StringComparison.Ordinal);
        Assert.Contains("'ten km': $: expected 14.5, got 17.5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recorded_NoMatchingMeasurement_ThrowsListingWhatWasRecorded()
    {
        using var store = ModelTestHostTests.FareStore();
        await using var host = ModelTestHost.Create(b => b.Services.AddModelServing().UseModelStore(store).AddModel<FareModel, Trip, decimal>("fare"));
        using var durations = host.CollectMetric<double>("lyftserving.inference.duration");
        await host.StartAsync();
        await host.GetClient<Trip, decimal>("fare").PredictAsync(new Trip(1, 1));

        var error = Assert.Throws<ModelAssertionException>(() => ModelAssert.Recorded(durations, "fare", "7"));

        Assert.StartsWith("Expected lyftserving.inference.duration to record a measurement with lyftserving.model.name=fare, lyftserving.model.version=7; it recorded:", error.Message, StringComparison.Ordinal);
        Assert.Contains("lyftserving.model.version=1", error.Message, StringComparison.Ordinal);
    }
}
