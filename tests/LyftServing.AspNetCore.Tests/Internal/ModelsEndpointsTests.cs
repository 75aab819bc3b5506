using System.Net;
using LyftServing.AspNetCore.Tests.Infrastructure;

namespace LyftServing.AspNetCore.Tests.Internal;

/// <summary><c>GET /models</c> and <c>GET /models/{model_id}</c>: the status view, pinned by snapshots (the clock is fake, so times are fixed).</summary>
public class ModelsEndpointsTests(TestAppFixture fixture) : IClassFixture<TestAppFixture>
{
    private HttpClient Client => fixture.App.Client;

    [Fact]
    public async Task List_ServedModels_ReturnsEveryModelWithVersionsAndStates()
    {
        using var response = await Client.GetAsync("/models");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await ResponseSnapshot.MatchAsync(response);
    }

    [Fact]
    public async Task Get_KnownModel_ReturnsItsStatus()
    {
        using var response = await Client.GetAsync("/models/driver_eta");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await ResponseSnapshot.MatchAsync(response);
    }

    [Fact]
    public async Task Get_ModelThatFailedToStart_ShowsNoPrimaryAndTheError()
    {
        using var response = await Client.GetAsync("/models/not_ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await ResponseSnapshot.MatchAsync(response);
    }

    [Fact]
    public async Task Get_UnknownModel_Returns404Problem()
    {
        using var response = await Client.GetAsync("/models/driver_eta_v9");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await ResponseSnapshot.MatchAsync(response);
        await InferEndpointTests.AssertStillServesAsync(Client);
    }

    [Fact]
    public async Task Get_InvalidModelName_Returns400Problem()
    {
        using var response = await Client.GetAsync("/models/Driver%20ETA");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await ResponseSnapshot.MatchAsync(response);
    }
}
