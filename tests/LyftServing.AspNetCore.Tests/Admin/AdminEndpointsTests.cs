using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using LyftServing.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LyftServing.AspNetCore.Tests.Admin;

/// <summary>
/// <c>MapModelServingAdmin()</c> behind JWT bearer authentication and a role policy, as the sample
/// server sets it up: 401 without a token, 403 without the role, and with it each action's effect
/// in <c>GET /models</c> and in the decision record of the model store; operator mistakes are
/// problems (400/404/409), never 500s; every action is logged with who asked.
/// </summary>
public sealed class AdminEndpointsTests : IAsyncLifetime
{
    private const string Policy = "model-operators";
    private const string Role = "model-operator";
    private static readonly SymmetricSecurityKey Key = new(Encoding.UTF8.GetBytes("lyftserving-tests-signing-key-of-32+-bytes"));
    private TestApp _app = null!;

    public static TheoryData<string, string> Actions => new()
    {
        { "POST", "/admin/models/driver_eta/versions/1/promote" },
        { "POST", "/admin/models/driver_eta/versions/1/pin" },
        { "POST", "/admin/models/driver_eta/versions/1/load" },
        { "POST", "/admin/models/driver_eta/versions/1/unload" },
        { "POST", "/admin/models/driver_eta/versions/1/shadow" },
        { "DELETE", "/admin/models/driver_eta/versions/1/shadow" },
        { "POST", "/admin/models/driver_eta/rollback" },
        { "POST", "/admin/models/driver_eta/unpin" },
        { "POST", "/admin/models/driver_eta/refresh" },
        { "POST", "/v2/repository/index" },
        { "POST", "/v2/repository/models/driver_eta/load" },
        { "POST", "/v2/repository/models/driver_eta/unload" },
    };

    public static TheoryData<string, string, string, string?> Problems => new()
    {
        // case, method, path, body; each answer is pinned by a snapshot.
        { "rollback_with_nothing_to_roll_back_to", "POST", "/admin/models/failing/rollback", null },
        { "unload_the_primary", "POST", "/admin/models/driver_eta/versions/2/unload", null },
        { "shadow_the_primary", "POST", "/admin/models/driver_eta/versions/2/shadow", null },
        { "unknown_model", "POST", "/admin/models/nope/versions/1/promote", null },
        { "unknown_model_before_the_body", "POST", "/admin/models/nope/versions/1/shadow", "{not json" },
        { "version_not_in_the_store", "POST", "/admin/models/driver_eta/versions/9/promote", null },
        { "unload_a_version_not_loaded", "POST", "/admin/models/driver_eta/versions/9/unload", null },
        { "invalid_model_name", "POST", "/admin/models/Driver..ETA/refresh", null },
        { "invalid_version_name", "POST", "/admin/models/driver_eta/versions/V!/pin", null },
        { "shadow_rate_out_of_range", "POST", "/admin/models/driver_eta/versions/1/shadow", """{"sample_rate": 2}""" },
        { "shadow_unknown_field", "POST", "/admin/models/driver_eta/versions/1/shadow", """{"rate": 0.5}""" },
        { "shadow_body_not_json", "POST", "/admin/models/driver_eta/versions/1/shadow", "{not json" },
        { "repository_unload", "POST", "/v2/repository/models/driver_eta/unload", null },
        { "repository_load_unknown_model", "POST", "/v2/repository/models/nope/load", null },
        { "repository_index_ready_not_a_boolean", "POST", "/v2/repository/index", """{"ready": "yes"}""" },
    };

    public async Task InitializeAsync() => _app = await StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task Action_WithoutAToken_Answers401AndChangesNothing(string method, string path)
    {
        using var response = await SendAsync(method, path, token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null((await GetModelAsync())["decision"]);
        Assert.Null(await _app.Store.ReadDecisionAsync("driver_eta", default));
    }

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task Action_WithATokenLackingThePolicy_Answers403AndChangesNothing(string method, string path)
    {
        using var response = await SendAsync(method, path, Token("mallory", roles: []));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Null((await GetModelAsync())["decision"]);
        Assert.Null(await _app.Store.ReadDecisionAsync("driver_eta", default));
    }

    [Theory]
    [InlineData("admin", "POST", "/admin/models/driver_eta/rollback")]
    [InlineData("repository", "POST", "/v2/repository/index")]
    public async Task Action_WithoutAToken_AnswersAProblemBodyAndTheChallenge(string caseName, string method, string path)
    {
        using var response = await SendAsync(method, path, token: null);

        await ResponseSnapshot.MatchAsync(response, caseName);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Theory]
    [InlineData("admin", "POST", "/admin/models/driver_eta/rollback")]
    [InlineData("repository", "POST", "/v2/repository/index")]
    public async Task Action_WithATokenLackingThePolicy_AnswersAProblemBody(string caseName, string method, string path)
    {
        using var response = await SendAsync(method, path, Token("mallory", roles: []));

        await ResponseSnapshot.MatchAsync(response, caseName);
    }

    [Fact]
    public async Task Action_WithAnExpiredToken_Answers401ProblemNamingNoCause()
    {
        var expired = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["name"] = "ops", ["role"] = new[] { Role } },
            NotBefore = DateTime.UtcNow.AddHours(-2),
            Expires = DateTime.UtcNow.AddHours(-1),
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
        });

        using var response = await SendAsync("POST", "/admin/models/driver_eta/rollback", expired);

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(ModelServingProblemTypes.Unauthorized, JsonNode.Parse(body)!["type"]!.GetValue<string>());
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain("IDX", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppEndpointWithThePolicy_AnswersAsBefore_OnlyTheAdminEndpointsGetProblemBodies()
    {
        await using var app = await StartAsync(map: web => web.MapGet("/private", () => "secret").RequireAuthorization(Policy));

        using var anonymous = await app.Client.GetAsync("/private");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/private") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Token("mallory", roles: [])) } };
        using var forbidden = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(string.Empty, await anonymous.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(string.Empty, await forbidden.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AddAdminAuthorizationProblems_NotCalled_LeavesTheMiddlewaresEmptyAnswers()
    {
        await using var app = await StartAsync(problems: false);

        using var response = await app.Client.PostAsync("/admin/models/driver_eta/rollback", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AddAdminAuthorizationProblems_DecoratesTheAppsHandlerRegisteredBefore()
    {
        await using var app = await StartAsync(configureFirst: services =>
            services.AddSingleton<IAuthorizationMiddlewareResultHandler, HeaderAddingHandler>());

        using var response = await app.Client.PostAsync("/admin/models/driver_eta/rollback", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("yes", Assert.Single(response.Headers.GetValues("X-App-Handler")));
        Assert.Equal(ModelServingProblemTypes.Unauthorized, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task ServerMetadata_RepositoryExtensionMapped_ListsModelRepositoryOnlyUnderItsV2()
    {
        // The repository extension is at /v2/repository: the /v2 at the root lists it, the /v2 under /api does not.
        await using var app = await StartAsync(map: web =>
        {
            web.MapOpenInferenceProtocol();
            web.MapOpenInferenceProtocol("/api");
        });

        var root = JsonNode.Parse(await app.Client.GetStringAsync("/v2"))!;
        var prefixed = JsonNode.Parse(await app.Client.GetStringAsync("/api/v2"))!;

        Assert.Equal(["model_repository"], root["extensions"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Empty(prefixed["extensions"]!.AsArray());
    }

    [Fact]
    public async Task Promote_ThenRollBack_ShowsEachEffectInModelsAndInTheStoreRecord()
    {
        using (var promoted = await SendAsync("POST", "/admin/models/driver_eta/versions/1/promote"))
        {
            Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);
            var answer = JsonNode.Parse(await promoted.Content.ReadAsStringAsync())!;
            Assert.Equal("1", answer["primary_version"]!.GetValue<string>());
        }

        var model = await GetModelAsync();
        Assert.Equal("1", model["primary_version"]!.GetValue<string>());
        Assert.Equal("promote", model["decision"]!["reason"]!.GetValue<string>());
        Assert.Equal("1", model["decision"]!["primary_version"]!.GetValue<string>());
        Assert.False(model["decision"]!["pinned"]!.GetValue<bool>());
        var record = await StoredDecisionAsync();
        Assert.Equal("1", record["primary"]!.GetValue<string>());
        Assert.Equal("promote", record["reason"]!.GetValue<string>());

        using (var rolledBack = await SendAsync("POST", "/admin/models/driver_eta/rollback"))
        {
            Assert.Equal(HttpStatusCode.OK, rolledBack.StatusCode);
        }

        model = await GetModelAsync();
        Assert.Equal("2", model["primary_version"]!.GetValue<string>());
        Assert.Equal("rollback", model["decision"]!["reason"]!.GetValue<string>());
        Assert.Equal("rollback", (await StoredDecisionAsync())["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task PinThenUnpin_ShowsEachEffectInModelsAndInTheStoreRecord()
    {
        using (var pinned = await SendAsync("POST", "/admin/models/driver_eta/versions/1/pin"))
        {
            Assert.Equal(HttpStatusCode.OK, pinned.StatusCode);
        }

        var model = await GetModelAsync();
        Assert.Equal("1", model["primary_version"]!.GetValue<string>());
        Assert.True(model["decision"]!["pinned"]!.GetValue<bool>());
        Assert.True((await StoredDecisionAsync())["pinned"]!.GetValue<bool>());

        using (var unpinned = await SendAsync("POST", "/admin/models/driver_eta/unpin"))
        {
            Assert.Equal(HttpStatusCode.OK, unpinned.StatusCode);
        }

        Assert.Equal("unpin", (await GetModelAsync())["decision"]!["reason"]!.GetValue<string>());
        var record = await StoredDecisionAsync();
        Assert.Equal("unpin", record["reason"]!.GetValue<string>());
        Assert.Null(record["primary"]);
    }

    [Fact]
    public async Task SetThenClearShadow_ShowsEachEffectInModelsAndInTheStoreRecord()
    {
        using (var set = await SendAsync("POST", "/admin/models/driver_eta/versions/1/shadow", body: """{"sample_rate": 0.25}"""))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        var model = await GetModelAsync();
        Assert.Equal(0.25, model["decision"]!["shadows"]!["1"]!.GetValue<double>());
        Assert.Equal("shadow", model["versions"]!.AsArray().Single(v => v!["version"]!.GetValue<string>() == "1")!["role"]!.GetValue<string>());
        Assert.Equal(0.25, (await StoredDecisionAsync())["shadows"]!["1"]!.GetValue<double>());

        using (var cleared = await SendAsync("DELETE", "/admin/models/driver_eta/versions/1/shadow"))
        {
            Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        }

        model = await GetModelAsync();
        Assert.Equal("unshadow", model["decision"]!["reason"]!.GetValue<string>());
        Assert.DoesNotContain(model["versions"]!.AsArray(), v => v!["version"]!.GetValue<string>() == "1" && v["state"]!.GetValue<string>() == "ready");
        Assert.Equal(0, (await StoredDecisionAsync())["shadows"]!["1"]!.GetValue<double>());
    }

    [Fact]
    public async Task UnloadThenLoadAndRefresh_ShowTheVersionsInModels()
    {
        using (var unloaded = await SendAsync("POST", "/admin/models/driver_eta/versions/1/unload"))
        {
            Assert.Equal(HttpStatusCode.OK, unloaded.StatusCode);
        }

        Assert.DoesNotContain((await GetModelAsync())["versions"]!.AsArray(), v => v!["version"]!.GetValue<string>() == "1" && v["state"]!.GetValue<string>() == "ready");

        using (var loaded = await SendAsync("POST", "/admin/models/driver_eta/versions/1/load"))
        {
            Assert.Equal(HttpStatusCode.OK, loaded.StatusCode);
        }

        var version = (await GetModelAsync())["versions"]!.AsArray().Single(v => v!["version"]!.GetValue<string>() == "1" && v["state"]!.GetValue<string>() == "ready")!;
        Assert.Equal("none", version["role"]!.GetValue<string>());
        Assert.Equal(0, version["in_flight"]!.GetValue<int>());

        using var refreshed = await SendAsync("POST", "/admin/models/driver_eta/refresh");
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Equal("2", JsonNode.Parse(await refreshed.Content.ReadAsStringAsync())!["primary_version"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Problems))]
    public async Task Action_OperatorMistake_AnswersAProblemNeverA500AndKeepsServing(string caseName, string method, string path, string? body)
    {
        using var response = await SendAsync(method, path, body: body);

        await ResponseSnapshot.MatchAsync(response, caseName);
        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Equal("2", (await GetModelAsync())["primary_version"]!.GetValue<string>());
        using var infer = await _app.Client.PostAsync("/infer", new StringContent("""{"model_id": "driver_eta", "features": {"distance_km": 10, "stops": 2}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, infer.StatusCode);
    }

    [Fact]
    public async Task RepositoryIndex_ListsEveryVersionWithItsStateAndReadyOnlyOnRequest()
    {
        using var all = await SendAsync("POST", "/v2/repository/index");
        using var ready = await SendAsync("POST", "/v2/repository/index", body: """{"ready": true}""");

        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        await ResponseSnapshot.MatchAsync(all);
        var readyVersions = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!.AsArray();
        Assert.All(readyVersions, v => Assert.Equal("READY", v!["state"]!.GetValue<string>()));
        Assert.Contains(readyVersions, v => v!["name"]!.GetValue<string>() == "driver_eta" && v["version"]!.GetValue<string>() == "2");
    }

    [Fact]
    public async Task RepositoryLoad_ChecksTheStoreAndAnswers200WithNoBody()
    {
        _app.Store.AddVersion("driver_eta", "3", TestModels.EtaModel.Files(intercept: 10, perKm: 100, perStop: 45));

        using var response = await SendAsync("POST", "/v2/repository/models/driver_eta/load");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        Assert.Equal("3", (await GetModelAsync())["primary_version"]!.GetValue<string>());
    }

    [Fact]
    public async Task Action_IsLoggedWithTheUserAndTheAnswer()
    {
        using var promoted = await SendAsync("POST", "/admin/models/driver_eta/versions/1/promote", Token("alice", [Role]));
        using var conflict = await SendAsync("POST", "/admin/models/driver_eta/versions/1/unload", Token("bob", [Role]));

        var audit = _app.Logs.GetSnapshot().Where(r => r.Id.Id == 107).Select(r => r.Message).ToList();
        Assert.Contains("alice asked for the promotion of model 'driver_eta' (version 1): answered 200", audit);
        Assert.Contains("bob asked for the unload of model 'driver_eta' (version 1): answered 409", audit);
    }

    [Fact]
    public async Task MapModelServingAdmin_PolicyNotRegistered_FailsAtStartUpSayingHowToSetOne()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestApp.StartAsync(
            map: app => app.MapModelServingAdmin("operators"),
            configure: builder => builder.Services.AddAuthorization()));

        Assert.Contains("'operators', which is not registered", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddPolicy(", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapModelServingAdmin_NoAuthorization_FailsAtStartUpSayingHowToSetItUp()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestApp.StartAsync(map: app => app.MapModelServingAdmin(Policy)));

        Assert.Contains("needs authorization", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddAuthorization(", error.Message, StringComparison.Ordinal);
    }

    private static string Token(string user, string[] roles)
    {
        var claims = new Dictionary<string, object> { ["name"] = user, ["role"] = roles };
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
        });
    }

    private static async Task<TestApp> StartAsync(bool problems = true, Action<WebApplication>? map = null, Action<IServiceCollection>? configureFirst = null)
    {
        var app = await TestApp.StartAsync(
            models: (serving, store) =>
            {
                configureFirst?.Invoke(serving.Services);
                TestApp.AddStandardModels(serving, store);
                if (problems)
                {
                    serving.AddAdminAuthorizationProblems();
                }
            },
            map: web =>
            {
                TestApp.MapStandard(web);
                web.MapModelServingAdmin(Policy);
                map?.Invoke(web);
            },
            configure: builder =>
            {
                builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
                {
                    o.MapInboundClaims = false;
                    o.TokenValidationParameters = new TokenValidationParameters
                    {
                        IssuerSigningKey = Key,
                        ValidateIssuer = false,
                        ValidateAudience = false,
                        NameClaimType = "name",
                        RoleClaimType = "role",
                    };
                });
                builder.Services.AddAuthorization(o => o.AddPolicy(Policy, p => p.RequireRole(Role)));
            });

        // As the standard app: version 1 loaded beside the primary.
        await app.App.Services.GetRequiredService<IModelManager>().LoadVersionAsync("driver_eta", "1");
        return app;
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string? token = "operator", string? body = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token == "operator" ? Token("ops", [Role]) : token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return await _app.Client.SendAsync(request);
    }

    private async Task<JsonNode> GetModelAsync()
    {
        using var response = await _app.Client.GetAsync("/models/driver_eta");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private async Task<JsonNode> StoredDecisionAsync()
    {
        var record = await _app.Store.ReadDecisionAsync("driver_eta", default);
        Assert.NotNull(record);
        return JsonNode.Parse(record.Content.Span)!;
    }

    /// <summary>An app's own result handler: ASP.NET Core's answer plus a header.</summary>
    private sealed class HeaderAddingHandler : IAuthorizationMiddlewareResultHandler
    {
        private readonly AuthorizationMiddlewareResultHandler _default = new();

        public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
        {
            context.Response.Headers["X-App-Handler"] = "yes";
            return _default.HandleAsync(next, context, policy, authorizeResult);
        }
    }
}
