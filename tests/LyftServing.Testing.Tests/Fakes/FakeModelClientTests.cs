using Microsoft.Extensions.DependencyInjection;

namespace LyftServing.Testing.Tests.Fakes;

public class FakeModelClientTests
{
    public sealed record Trip(decimal DistanceKm, decimal Minutes);

    /// <summary>A class of a service that calls a model: the code under test.</summary>
    public sealed class Quotes([FromKeyedServices("fare")] IModelClient<Trip, decimal> fare)
    {
        public async Task<string> QuoteAsync(Trip trip)
        {
            try
            {
                return $"{await fare.PredictAsync(trip):0.00} EUR";
            }
            catch (ModelOverloadedException)
            {
                return "busy, try again";
            }
        }
    }

    [Fact]
    public async Task AddFakeModelClient_ClassInjectingTheModel_GetsTheFakeAndItsCallsAreRecorded()
    {
        var fare = new FakeModelClient<Trip, decimal>("fare", trip => 2 * trip.DistanceKm);
        await using var services = new ServiceCollection().AddModelServing().Services
            .AddFakeModelClient(fare)
            .AddSingleton<Quotes>()
            .BuildServiceProvider();

        var quote = await services.GetRequiredService<Quotes>().QuoteAsync(new Trip(10, 20));

        Assert.Equal(string.Create(System.Globalization.CultureInfo.CurrentCulture, $"{20m:0.00} EUR"), quote);
        Assert.Equal([new Trip(10, 20)], fare.Calls);
        Assert.Equal(1, fare.CallCount);
    }

    [Fact]
    public async Task OnPredict_Throws_TheCallerSeesTheException()
    {
        var fare = new FakeModelClient<Trip, decimal>("fare") { OnPredict = _ => throw new ModelOverloadedException("fare", TimeSpan.FromSeconds(1)) };

        Assert.Equal("busy, try again", await new Quotes(fare).QuoteAsync(new Trip(1, 1)));
    }

    [Fact]
    public async Task OnPredictAsync_Set_IsUsedAndSeesTheCancellationToken()
    {
        using var cancellation = new CancellationTokenSource();
        CancellationToken seen = default;
        var fare = new FakeModelClient<Trip, decimal>("fare", _ => 1m)
        {
            OnPredictAsync = (_, token) =>
            {
                seen = token;
                return ValueTask.FromResult(2m);
            },
        };

        Assert.Equal(2m, await fare.PredictAsync(new Trip(1, 1), cancellation.Token));
        Assert.Equal(cancellation.Token, seen);
    }

    [Fact]
    public async Task PredictAsync_NoAnswerSet_ThrowsNamingTheModel()
    {
        var fare = new FakeModelClient<Trip, decimal>("fare");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await fare.PredictAsync(new Trip(1, 1)));

        Assert.Contains("'fare'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PredictAsync_ConcurrentCalls_RecordsEveryCall()
    {
        var fare = new FakeModelClient<Trip, decimal>("fare", t => t.DistanceKm);

        await Parallel.ForAsync(0, 1000, async (i, ct) => await fare.PredictAsync(new Trip(i, 0), ct));

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (decimal)i).Order(), fare.Calls.Select(c => c.DistanceKm).Order());
    }
}
