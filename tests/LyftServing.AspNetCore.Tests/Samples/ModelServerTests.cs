using System.Net;
using System.Text;
using System.Text.Json;
using LyftServing.Tests.Shared;
using Microsoft.AspNetCore.TestHost;

namespace LyftServing.AspNetCore.Tests.Samples;

/// <summary>
/// The sample model server (samples/LyftServing.Server), composed as its Program composes it
/// (<see cref="LyftServing.Server.ModelServer"/>, its appsettings.json), in memory, with its bundled store or a copy of it.
/// </summary>
public class ModelServerTests
{
    /// <summary>The request and answer shown in samples/LyftServing.Server/README.md.</summary>
    private const string ReadmeRequest = """{"model_id": "driver_eta", "features": {"distance_km": 8.0, "stops": 1, "hour_of_day": 17, "traffic_index": 0.7}}""";
    private const string ReadmeAnswer = """{"model_id":"driver_eta","model_version":"2","output":{"eta_seconds":1544.2}}""";

    [Fact]
    public async Task AddModelServer_ReadmeRequest_ReturnsTheDocumentedAnswer()
    {
        await using var app = await StartAsync();
        using var client = app.GetTestClient();

        using var response = await client.PostAsync("/infer", Json(ReadmeRequest));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ReadmeAnswer, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AddModelServer_BundledStore_ServesEveryModelAndIsReady()
    {
        await using var app = await StartAsync();
        using var client = app.GetTestClient();

        using var models = await client.GetAsync("/models");
        using var ready = await client.GetAsync("/health/ready");
        using var fraud = await client.PostAsync("/infer", Json("""{"model_id": "fraud_score", "features": {"amount_usd": 240, "account_age_days": 3, "new_device": 1, "card_country_mismatch": 1}}"""));
        using var v1 = await client.PostAsync("/infer", Json("""{"model_id": "driver_eta", "model_version": "1", "features": {"distance_km": 8.0, "stops": 1, "hour_of_day": 17, "traffic_index": 0.7}}"""));
        using var openApi = await client.GetAsync("/openapi/v1.json");
        using var onnx = await client.PostAsync("/infer", Json("""{"model_id": "tabular_mlp", "features": {"features": [[1.28, 0.76, 1.02, 0.33, 0.40, -0.72, 0.01, 0.73]]}}"""));
        using var torchScript = await client.PostAsync("/infer", Json("""{"model_id": "tabular_mlp_torchscript", "features": {"features": [[1.28, 0.76, 1.02, 0.33, 0.40, -0.72, 0.01, 0.73]]}}"""));

        using var status = JsonDocument.Parse(await models.Content.ReadAsStringAsync());
        var served = status.RootElement.GetProperty("models").EnumerateArray()
            .Select(m => (m.GetProperty("model_id").GetString(), m.GetProperty("primary_version").GetString()))
            .ToArray();
        Assert.Equal([("driver_eta", "2"), ("fraud_score", "1"), ("tabular_mlp", "1"), ("tabular_mlp_torchscript", "1"), ("trip_risk", "1")], served);
        Assert.Equal("""{"model_id":"tabular_mlp","model_version":"1","output":{"score":[[0.951762]]}}""", await onnx.Content.ReadAsStringAsync());
        Assert.Equal("""{"model_id":"tabular_mlp_torchscript","model_version":"1","output":{"score":[[0.9517621]]}}""", await torchScript.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("""{"model_id":"fraud_score","model_version":"1","output":{"probability":0.914354,"label":true}}""", await fraud.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, v1.StatusCode);
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        using var document = JsonDocument.Parse(await openApi.Content.ReadAsStringAsync());
        var mapping = document.RootElement.GetProperty("paths").GetProperty("/infer").GetProperty("post").GetProperty("requestBody")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("discriminator").GetProperty("mapping");
        Assert.Equal(["driver_eta", "fraud_score", "tabular_mlp", "tabular_mlp_torchscript", "trip_risk"], mapping.EnumerateObject().Select(p => p.Name));

        // trip_risk (LightGBM) names its columns: the features are rows of its input, or one row by column name.
        var tripRisk = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("trip_risk.Features").GetProperty("anyOf");
        Assert.Equal(2, tripRisk.GetArrayLength());
        Assert.Contains("trip_km", tripRisk[1].GetProperty("required").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task AddModelServer_NewVersionFolderDropped_SwapsToItWithNoFailedRequest()
    {
        var store = Directory.CreateTempSubdirectory("lyftserving-sample-store-").FullName;
        try
        {
            CopyDirectory(Path.Combine(RepositoryRoot.FullPath, "samples", "models"), store);
            await using var app = await StartAsync($"--ModelServing:StoreRoot={store}", "--ModelServing:PollInterval=00:00:00.050");
            using var client = app.GetTestClient();

            // Publish version 3 the way the store expects: write it beside the store, then move it in.
            var staging = Path.Combine(store, ".staging-3");
            CopyDirectory(Path.Combine(store, "driver_eta", "2"), staging);
            File.WriteAllText(Path.Combine(staging, "weights.json"), File.ReadAllText(Path.Combine(staging, "weights.json")).Replace("\"intercept_seconds\": 75", "\"intercept_seconds\": 60", StringComparison.Ordinal));
            File.WriteAllText(Path.Combine(staging, "testdata.json"), "[]");
            Directory.Move(staging, Path.Combine(store, "driver_eta", "3"));

            var versions = new List<string>();
            var deadline = TimeProvider.System.GetTimestamp() + (TimeProvider.System.TimestampFrequency * 20);
            while (!versions.Contains("3") && TimeProvider.System.GetTimestamp() < deadline)
            {
                using var response = await client.PostAsync("/infer", Json(ReadmeRequest));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                versions.Add(answer.RootElement.GetProperty("model_version").GetString()!);
            }

            Assert.Equal("3", versions[^1]);
            Assert.All(versions, v => Assert.Contains(v, new[] { "2", "3" }));
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
    }

    [Fact]
    public async Task AddModelServer_NewestVersionFailsItsSelfTests_KeepsServingThePreviousVersion()
    {
        // Defect 0: the sample store plus a driver_eta/3 whose testdata.json expectations are wrong.
        var store = Directory.CreateTempSubdirectory("lyftserving-sample-store-").FullName;
        try
        {
            CopyDirectory(Path.Combine(RepositoryRoot.FullPath, "samples", "models"), store);
            var v3 = Path.Combine(store, "driver_eta", "3");
            CopyDirectory(Path.Combine(store, "driver_eta", "2"), v3);
            File.WriteAllText(Path.Combine(v3, "testdata.json"), File.ReadAllText(Path.Combine(v3, "testdata.json")).Replace("\"eta_seconds\": ", "\"eta_seconds\": 1", StringComparison.Ordinal));
            await using var app = await StartAsync($"--ModelServing:StoreRoot={store}");
            using var client = app.GetTestClient();

            using var response = await client.PostAsync("/infer", Json(ReadmeRequest));
            using var models = await client.GetAsync("/models/driver_eta");

            Assert.Equal(ReadmeAnswer, await response.Content.ReadAsStringAsync());
            using var status = JsonDocument.Parse(await models.Content.ReadAsStringAsync());
            Assert.Equal("2", status.RootElement.GetProperty("primary_version").GetString());
            var failed = status.RootElement.GetProperty("versions").EnumerateArray().Single(v => v.GetProperty("version").GetString() == "3");
            Assert.Equal("failed", failed.GetProperty("state").GetString());
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
    }

    [Fact]
    public async Task AddModelServer_MetricsScraped_ShowsLyftServingInstruments()
    {
        await using var app = await StartAsync();
        using var client = app.GetTestClient();
        using var answer = await client.PostAsync("/infer", Json(ReadmeRequest));

        using var response = await client.GetAsync("/metrics");
        var metrics = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("lyftserving_inference_duration_seconds_count{", metrics, StringComparison.Ordinal);
        Assert.Contains("lyftserving_model_name=\"driver_eta\"", metrics, StringComparison.Ordinal);
        Assert.Contains("lyftserving_model_load_duration_seconds_count{", metrics, StringComparison.Ordinal);
        Assert.Contains("lyftserving_self_test_runs_total{", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_LightGbmSampleModel_ReproducesLightGbmsScoresForRowsNamesAndBatches()
    {
        await using var app = await StartAsync();
        using var client = app.GetTestClient();
        using var cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.FullPath, "samples", "models", "trip_risk", "1", "testdata.json")));

        foreach (var testCase in cases.RootElement.EnumerateArray())
        {
            using var response = await client.PostAsync("/infer", Json($$"""{"model_id": "trip_risk", "features": {{testCase.GetProperty("features").GetRawText()}}}"""));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var scores = answer.RootElement.GetProperty("output").GetProperty("score").EnumerateArray().Select(r => r[0].GetDouble()).ToArray();
            var expected = testCase.GetProperty("expected").GetProperty("score").EnumerateArray().Select(r => r[0].GetDouble()).ToArray();
            Assert.Equal(expected.Length, scores.Length);
            Assert.All(expected.Zip(scores), p => Assert.Equal(p.First, p.Second, 1e-9));
        }
    }

    [Fact]
    public async Task Infer_LightGbmSampleModelWithAnUnknownFeatureName_Answers400ListingItsFeatures()
    {
        await using var app = await StartAsync();
        using var client = app.GetTestClient();

        using var response = await client.PostAsync("/infer", Json("""{"model_id": "trip_risk", "features": {"trip_km": 3, "hour": 8}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(
            "'$.features.hour' is not a feature of model 'trip_risk'; its features are: trip_km, hour_of_day, surge_multiplier, driver_rating, rider_tenure_days, prior_cancellations (or send rows as {\"features\": [[…]]}).",
            problem.RootElement.GetProperty("detail").GetString());
    }

    /// <summary>Starts the server as Program does (content root: the sample's folder), on the test server.</summary>
    [Theory]
    [InlineData("""{"features": [1.28, 0.76, 1.02, 0.33, 0.40, -0.72, 0.01, 0.73]}""", "$.features.features", "has rank 1")]
    [InlineData("""{"features": [[1.28, 0.76, 1.02]]}""", "$.features.features", "needs size 8 in dimension 1")]
    [InlineData("""{"feature": [[1, 2, 3, 4, 5, 6, 7, 8]]}""", "$.features.feature", "is not an input of model 'tabular_mlp'")]
    [InlineData("""{"features": [[1, 2, 3, 4, 5, 6, 7, "x"]]}""", "$.features.features", "")]
    [InlineData("""{"features": [[1, 2, 3, 4, 5, 6, 7, 8], [1, 2]]}""", "$.features.features", "")]
    public async Task Infer_OnnxModelWithBadFeatures_Answers400NamingTheInput(string features, string pathPrefix, string detailPart)
    {
        await using var app = await StartAsync();
        using var client = app.GetTestClient();

        using var response = await client.PostAsync("/infer", Json($$"""{"model_id": "tabular_mlp", "features": {{features}}}"""));
        using var again = await client.PostAsync("/infer", Json("""{"model_id": "tabular_mlp", "features": {"features": [[1.28, 0.76, 1.02, 0.33, 0.40, -0.72, 0.01, 0.73]]}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(ModelServingProblemTypes.InvalidFeatures, problem.RootElement.GetProperty("type").GetString());
        Assert.StartsWith(pathPrefix, problem.RootElement.GetProperty("path").GetString(), StringComparison.Ordinal);
        Assert.Contains(detailPart, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task AddModelServer_AdminWithUserJwtsConfiguration_Answers401403And200AndServesTheOpenInferenceProtocol()
    {
        // What `dotnet user-jwts create --role model-operator` writes: the issuer, audience and signing key.
        var key = new byte[32];
        Random.Shared.NextBytes(key);
        await using var app = await StartAsync(
            "--Authentication:Schemes:Bearer:ValidIssuer=dotnet-user-jwts",
            "--Authentication:Schemes:Bearer:ValidAudiences:0=http://localhost:5080",
            "--Authentication:Schemes:Bearer:SigningKeys:0:Issuer=dotnet-user-jwts",
            $"--Authentication:Schemes:Bearer:SigningKeys:0:Value={Convert.ToBase64String(key)}");
        using var client = app.GetTestClient();

        using var anonymous = await client.PostAsync("/admin/models/driver_eta/refresh", null);
        using var notOperator = await SendWithTokenAsync(client, Token(key, role: null));
        using var operatorCall = await SendWithTokenAsync(client, Token(key, LyftServing.Server.ModelServer.OperatorRole));
        using var oip = await client.PostAsync("/v2/models/tabular_mlp/infer", Json("""{"inputs": [{"name": "features", "shape": [1, 8], "datatype": "FP32", "data": [1.28, 0.76, 1.02, 0.33, 0.40, -0.72, 0.01, 0.73]}]}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(ModelServingProblemTypes.Unauthorized, JsonDocument.Parse(await anonymous.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, notOperator.StatusCode);
        Assert.Equal(ModelServingProblemTypes.Forbidden, JsonDocument.Parse(await notOperator.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.OK, operatorCall.StatusCode);
        Assert.Equal(
            """{"model_name":"tabular_mlp","model_version":"1","outputs":[{"name":"score","datatype":"FP32","shape":[1,1],"data":[0.951762]}]}""",
            await oip.Content.ReadAsStringAsync());

        static Task<HttpResponseMessage> SendWithTokenAsync(HttpClient client, string token)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/admin/models/driver_eta/refresh");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            return client.SendAsync(request);
        }

        static string Token(byte[] key, string? role)
        {
            var claims = new Dictionary<string, object> { ["unique_name"] = "operator", ["sub"] = "operator" };
            if (role is not null)
            {
                claims["role"] = role;
            }

            return new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
            {
                Issuer = "dotnet-user-jwts",
                Audience = "http://localhost:5080",
                Claims = claims,
                Expires = DateTime.UtcNow.AddHours(1),
                SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(
                    new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(key), Microsoft.IdentityModel.Tokens.SecurityAlgorithms.HmacSha256),
            });
        }
    }

    private static Task<WebApplication> StartAsync(params string[] args) => SampleServerApp.StartAsync(args);

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
