using LyftServing;
using LyftServing.Testing;
using LyftService.Models;

namespace LyftService.Tests;

/// <summary>The service's models in a test host: the same registration, no web server, a fake clock.</summary>
public class FareModelTests
{
    private static readonly ModelTestHostOptions Options = new() { Configuration = { ["ModelServing:StoreRoot"] = "models" } };

    [Fact]
    public async Task Fare_TenKilometresTwentyMinutes_Costs17Point50()
    {
        await using var host = await ModelTestHost.StartNewAsync(new LyftServiceSetup().Configure, Options);

        var fare = await host.GetClient<Trip, decimal>("fare").PredictAsync(new Trip(DistanceKm: 10, Minutes: 20));

        Assert.Equal(17.50m, fare);
        ModelAssert.SelfTestsPassed(host.Manager, "fare");
    }

    [Fact]
    public async Task Fare_Called_RecordsItsLatency()
    {
        await using var host = ModelTestHost.Create(new LyftServiceSetup().Configure, Options);
        using var durations = host.CollectMetric<double>("lyftserving.inference.duration");
        await host.StartAsync();

        await host.GetClient<Trip, decimal>("fare").PredictAsync(new Trip(1, 1));

        Assert.Single(ModelAssert.Recorded(durations, "fare"));
    }
}
