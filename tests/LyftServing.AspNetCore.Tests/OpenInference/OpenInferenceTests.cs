using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LyftServing.AspNetCore.Tests.Infrastructure;
using LyftServing.AspNetCore.Tests.TestModels;

namespace LyftServing.AspNetCore.Tests.OpenInference;

/// <summary>
/// The Open Inference Protocol v2 (<c>MapOpenInferenceProtocol()</c>) on real ONNX models served by
/// the zero-code <c>onnx</c> runtime, and a C# model it cannot call: the fixtures' expected outputs
/// through <c>/v2/models/{name}/infer</c>, every datatype, the metadata answers, and a table of
/// hostile requests each answered with a 4xx <c>{"error": "…"}</c> while the service keeps serving.
/// </summary>
public sealed class OpenInferenceTests : IAsyncLifetime
{
    private const string TabularRow = "[1.28, 0.76, 1.02, 0.33, 0.40, -0.72, 0.01, 0.73]";
    private const string Ok = $$"""{"inputs": [{"name": "features", "shape": [1, 8], "datatype": "FP32", "data": {{TabularRow}}}]}""";
    private const long BodyLimit = 64 * 1024;
    private TestApp _app = null!;

    public static TheoryData<string, string, string> HostileRequests => new()
    {
        // case, path, body; each answer is pinned by a snapshot (status and error).
        { "empty_body", "/v2/models/tabular_mlp/infer", "" },
        { "invalid_json", "/v2/models/tabular_mlp/infer", """{"inputs": [""" },
        { "body_is_array", "/v2/models/tabular_mlp/infer", "[]" },
        { "too_deep", "/v2/models/tabular_mlp/infer", """{"inputs": [{"name": "features", "shape": [1], "datatype": "FP32", "data": """ + new string('[', 40) + new string(']', 40) + "}]}" },
        { "nan_literal", "/v2/models/tabular_mlp/infer", """{"inputs": [{"name": "features", "shape": [1, 8], "datatype": "FP32", "data": [NaN, 1, 1, 1, 1, 1, 1, 1]}]}""" },
        { "duplicate_field", "/v2/models/tabular_mlp/infer", $$"""{"inputs": [], "inputs": [{"name": "features", "shape": [1, 8], "datatype": "FP32", "data": {{TabularRow}}}]}""" },
        { "inputs_missing", "/v2/models/tabular_mlp/infer", """{"id": "1"}""" },
        { "inputs_empty", "/v2/models/tabular_mlp/infer", """{"inputs": []}""" },
        { "inputs_not_an_array", "/v2/models/tabular_mlp/infer", """{"inputs": {"name": "features"}}""" },
        { "input_not_an_object", "/v2/models/tabular_mlp/infer", """{"inputs": [[1, 2]]}""" },
        { "name_missing", "/v2/models/tabular_mlp/infer", $$"""{"inputs": [{"shape": [1, 8], "datatype": "FP32", "data": {{TabularRow}}}]}""" },
        { "name_empty", "/v2/models/tabular_mlp/infer", $$"""{"inputs": [{"name": "", "shape": [1, 8], "datatype": "FP32", "data": {{TabularRow}}}]}""" },
        { "input_twice", "/v2/models/tabular_mlp/infer", $$"""{"inputs": [{"name": "features", "shape": [1, 8], "datatype": "FP32", "data": {{TabularRow}}}, {"name": "features", "shape": [1, 8], "datatype": "FP32", "data": {{TabularRow}}}]}""" },
        { "input_field_twice", "/v2/models/tabular_mlp/infer", $$"""{"inputs": [{"name": "features", "shape": [1, 8], "shape": [8], "datatype": "FP32", "data": {{TabularRow}}}]}""" },
        { "datatype_missing", "/v2/models/tabular_mlp/infer", $$"""{"inputs": [{"name": "features", "shape": [1, 8], "data": {{TabularRow}}}]}""" },
        { "datatype_fp16", "/v2/models/tabular_mlp/infer", $$"""{"inputs": [{"name": "features", "shape": [1, 8], "datatype": "FP16", "data": {{TabularRow}}}]}""" },
        { "datatype_lowercase", "/v2/models/tabular_mlp/infer", $$"""{"inputs": [{"name": "features", "shape": [1, 8], "datatype": "fp32", "data": {{TabularRow}}}]}""" },
        { "datatype_not_a_string", "/v2/models/tabular_mlp/infer", $$"""{"inputs": [{"name": "features", "shape": [1, 8], "datatype": 11, "data": {{TabularRow}}}]}""" },
        { "shape_missing", "/v2/models/tabular_mlp/infer", $$"""{"inputs": [{"name": "features", "datatype": "FP32", "data": {{TabularRow}}}]}""" },
        { "shape_negative", "/v2/models/tabular_mlp/infer", $$"""{"inputs": [{"name": "features", "shape": [-1, 8], "datatype": "FP32", "data": {{TabularRow}}}]}""" },
        { "shape_fraction", "/v2/models/tabular_mlp/infer", $$"""{"inputs": [{"name": "features", "shape": [1.5, 8], "datatype": "FP32", "data": {{TabularRow}}}]}""" },
        { "shape_huge", "/v2/models/tabular_mlp/infer", $$"""{"inputs": [{"name": "features", "shape": [4294967296, 4294967296, 8], "datatype": "FP32", "data": {{TabularRow}}}]}""" },
        { "shape_product_mismatch", "/v2/models/tabular_mlp/infer", $$"""{"inputs": [{"name": "features", "shape": [2, 8], "datatype": "FP32", "data": {{TabularRow}}}]}""" },
        { "more_data_than_shape", "/v2/models/tabular_mlp/infer", $$"""{"inputs": [{"name": "features", "shape": [1, 4], "datatype": "FP32", "data": {{TabularRow}}}]}""" },
        { "data_missing", "/v2/models/tabular_mlp/infer", """{"inputs": [{"name": "features", "shape": [1, 8], "datatype": "FP32"}]}""" },
        { "data_not_an_array", "/v2/models/tabular_mlp/infer", """{"inputs": [{"name": "features", "shape": [1, 8], "datatype": "FP32", "data": "AAAA"}]}""" },
        { "string_for_fp32", "/v2/models/tabular_mlp/infer", """{"inputs": [{"name": "features", "shape": [1, 8], "datatype": "FP32", "data": [1, "2", 3, 4, 5, 6, 7, 8]}]}""" },
        { "nested_bad_element", "/v2/models/all_types/infer", """{"inputs": [{"name": "f32", "shape": [2, 2], "datatype": "FP32", "data": [[1, 2], [3, "x"]]}]}""" },
        { "null_element", "/v2/models/tabular_mlp/infer", """{"inputs": [{"name": "features", "shape": [1, 8], "datatype": "FP32", "data": [1, null, 3, 4, 5, 6, 7, 8]}]}""" },
        { "fp32_out_of_range", "/v2/models/tabular_mlp/infer", """{"inputs": [{"name": "features", "shape": [1, 8], "datatype": "FP32", "data": [1, 1e39, 3, 4, 5, 6, 7, 8]}]}""" },
        { "fp64_out_of_range", "/v2/models/all_types/infer", """{"inputs": [{"name": "f64", "shape": [1, 2], "datatype": "FP64", "data": [1, 1e400]}]}""" },
        { "int32_overflow", "/v2/models/all_types/infer", """{"inputs": [{"name": "i32", "shape": [1], "datatype": "INT32", "data": [2147483648]}]}""" },
        { "int64_fraction", "/v2/models/all_types/infer", """{"inputs": [{"name": "i64", "shape": [1], "datatype": "INT64", "data": [1.5]}]}""" },
        { "uint8_out_of_range", "/v2/models/all_types/infer", """{"inputs": [{"name": "i64", "shape": [1], "datatype": "UINT8", "data": [256]}]}""" },
        { "number_for_bool", "/v2/models/all_types/infer", """{"inputs": [{"name": "b", "shape": [1], "datatype": "BOOL", "data": [1]}]}""" },
        { "number_for_bytes", "/v2/models/all_types/infer", """{"inputs": [{"name": "s", "shape": [1], "datatype": "BYTES", "data": [1]}]}""" },
        { "bytes_for_numbers", "/v2/models/tabular_mlp/infer", """{"inputs": [{"name": "features", "shape": [1, 8], "datatype": "BYTES", "data": ["1", "2", "3", "4", "5", "6", "7", "8"]}]}""" },
        { "unknown_input", "/v2/models/tabular_mlp/infer", """{"inputs": [{"name": "x", "shape": [1, 8], "datatype": "FP32", "data": [1, 2, 3, 4, 5, 6, 7, 8]}]}""" },
        { "missing_input", "/v2/models/mixed_inputs/infer", """{"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}""" },
        { "wrong_rank", "/v2/models/tabular_mlp/infer", $$"""{"inputs": [{"name": "features", "shape": [8], "datatype": "FP32", "data": {{TabularRow}}}]}""" },
        { "wrong_row_length", "/v2/models/tabular_mlp/infer", """{"inputs": [{"name": "features", "shape": [2, 4], "datatype": "FP32", "data": [1, 2, 3, 4, 5, 6, 7, 8]}]}""" },
        { "id_not_a_string", "/v2/models/tabular_mlp/infer", $$"""{"id": 42, "inputs": [{"name": "features", "shape": [1, 8], "datatype": "FP32", "data": {{TabularRow}}}]}""" },
        { "parameters_not_an_object", "/v2/models/tabular_mlp/infer", $$"""{"parameters": [1], "inputs": [{"name": "features", "shape": [1, 8], "datatype": "FP32", "data": {{TabularRow}}}]}""" },
        { "outputs_not_an_array", "/v2/models/tabular_mlp/infer", $$"""{"outputs": "score", "inputs": [{"name": "features", "shape": [1, 8], "datatype": "FP32", "data": {{TabularRow}}}]}""" },
        { "output_unknown", "/v2/models/tabular_mlp/infer", $$"""{"outputs": [{"name": "probability"}], "inputs": [{"name": "features", "shape": [1, 8], "datatype": "FP32", "data": {{TabularRow}}}]}""" },
        { "output_twice", "/v2/models/tabular_mlp/infer", $$"""{"outputs": [{"name": "score"}, {"name": "score"}], "inputs": [{"name": "features", "shape": [1, 8], "datatype": "FP32", "data": {{TabularRow}}}]}""" },
        { "unknown_model", "/v2/models/nope/infer", Ok },
        { "unknown_version", "/v2/models/tabular_mlp/versions/9/infer", """{"inputs": "not even read"}""" },
        { "model_name_invalid", "/v2/models/Tabular..MLP/infer", Ok },
        { "model_name_traversal", "/v2/models/..%2F..%2Fetc/infer", Ok },
        { "typed_model", "/v2/models/driver_eta/infer", Ok },
    };

    public async Task InitializeAsync() =>
        _app = await TestApp.StartAsync(
            (serving, store) =>
            {
                var models = Path.Combine(AppContext.BaseDirectory, "assets", "models");
                serving.ConfigureHttp(o => o.MaxRequestBodySize = BodyLimit);
                foreach (var model in new[] { "tabular_mlp", "mixed_inputs", "bench_mlp", "all_types", "mymodel" })
                {
                    serving.AddOnnxModel(model, m => m.FromStore(models));
                }

                store.AddVersion("driver_eta", "1", EtaModel.Files(intercept: 60, perKm: 90, perStop: 30));
                serving.AddModel<EtaModel, EtaFeatures, EtaOutput>("driver_eta");
            },
            app =>
            {
                app.MapModelServing();
                app.MapOpenInferenceProtocol();
            });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("tabular_mlp")]
    [InlineData("mixed_inputs")]
    [InlineData("bench_mlp")]
    public async Task Infer_FixtureCases_ReproduceTheExpectedOutputsSingleAndBatchedFlatAndNested(string model)
    {
        var metadata = await GetJsonAsync($"/v2/models/{model}");
        var cases = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "assets", "models", model, "1", "testdata.json")))!.AsArray();

        // One request per case, then every case in one batch: data flat (row-major) and nested.
        var requests = cases.Select(c => new[] { c! }).Append([.. cases.Select(c => c!)]);
        foreach (var batch in requests)
        {
            foreach (var nested in new[] { false, true })
            {
                var inputs = new JsonArray();
                foreach (var input in metadata["inputs"]!.AsArray())
                {
                    var name = input!["name"]!.GetValue<string>();
                    var rows = batch.SelectMany(c => c["features"]![name]!.AsArray()).ToList();
                    var width = rows[0]!.AsArray().Count;
                    var data = nested
                        ? new JsonArray([.. rows.Select(r => r!.DeepClone())])
                        : new JsonArray([.. rows.SelectMany(r => r!.AsArray()).Select(v => v!.DeepClone())]);
                    inputs.Add(new JsonObject { ["name"] = name, ["shape"] = new JsonArray(rows.Count, width), ["datatype"] = input["datatype"]!.DeepClone(), ["data"] = data });
                }

                using var response = await PostAsync($"/v2/models/{model}/infer", new JsonObject { ["inputs"] = inputs }.ToJsonString());
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                Assert.Equal(model, answer["model_name"]!.GetValue<string>());
                Assert.Equal("1", answer["model_version"]!.GetValue<string>());
                foreach (var output in answer["outputs"]!.AsArray())
                {
                    var name = output!["name"]!.GetValue<string>();
                    var expected = batch.SelectMany(c => c["expected"]![name]!.AsArray().SelectMany(r => r!.AsArray())).Select(v => v!.GetValue<double>()).ToArray();
                    Assert.Equal("FP32", output["datatype"]!.GetValue<string>());
                    Assert.Equal([batch.Length, expected.Length / batch.Length], output["shape"]!.AsArray().Select(d => d!.GetValue<int>()));
                    var actual = output["data"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
                    Assert.Equal(expected.Length, actual.Length);
                    for (var i = 0; i < expected.Length; i++)
                    {
                        Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"{model} output {name}[{i}]: expected {expected[i]}, got {actual[i]}.");
                    }
                }
            }
        }
    }

    [Fact]
    public async Task Infer_EveryDatatype_RoundTripsWithItsProtocolName()
    {
        using var response = await PostAsync("/v2/models/all_types/infer", """
            {"id": "r-1", "parameters": {"trace": true, "tag": "x"}, "inputs": [
              {"name": "f32", "shape": [2, 2], "datatype": "FP32", "data": [[0.1, -1.25], [3.4028235e38, 0]]},
              {"name": "f64", "shape": [2, 2], "datatype": "FP64", "data": [0.1, 1e-300, -2.5, 1e300]},
              {"name": "i32", "shape": [2], "datatype": "INT32", "data": [-2147483648, 2147483647]},
              {"name": "i64", "shape": [2], "datatype": "INT64", "data": [9007199254740993, -9223372036854775808]},
              {"name": "b", "shape": [2], "datatype": "BOOL", "data": [true, false]},
              {"name": "s", "shape": [2], "datatype": "BYTES", "data": ["héllo \"world\"", ""]}
            ]}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("r-1", answer["id"]!.GetValue<string>());
        Assert.Equal("""{"trace":true,"tag":"x"}""", answer["parameters"]!.ToJsonString());
        var outputs = answer["outputs"]!.AsArray().ToDictionary(o => o!["name"]!.GetValue<string>(), o => o!);
        Assert.Equal("""{"name":"f32_out","datatype":"FP32","shape":[2,2],"data":[0.1,-1.25,3.4028235E+38,0]}""", outputs["f32_out"].ToJsonString());
        Assert.Equal("""{"name":"f64_out","datatype":"FP64","shape":[2,2],"data":[0.1,1E-300,-2.5,1E+300]}""", outputs["f64_out"].ToJsonString());
        Assert.Equal("""{"name":"i32_out","datatype":"INT32","shape":[2],"data":[-2147483648,2147483647]}""", outputs["i32_out"].ToJsonString());
        Assert.Equal("""{"name":"i64_out","datatype":"INT64","shape":[2],"data":[9007199254740993,-9223372036854775808]}""", outputs["i64_out"].ToJsonString());
        Assert.Equal("""{"name":"b_out","datatype":"BOOL","shape":[2],"data":[true,false]}""", outputs["b_out"].ToJsonString());
        Assert.Equal("""{"name":"s_out","datatype":"BYTES","shape":[2],"data":["héllo \"world\"",""]}""", outputs["s_out"].ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    [Fact]
    public async Task Infer_NarrowIntegerDatatypes_AreConvertedToTheInputsElementType()
    {
        using var response = await PostAsync("/v2/models/all_types/infer", """
            {"inputs": [
              {"name": "f32", "shape": [1, 2], "datatype": "UINT8", "data": [255, 0]},
              {"name": "f64", "shape": [1, 2], "datatype": "INT16", "data": [-32768, 7]},
              {"name": "i32", "shape": [1], "datatype": "UINT16", "data": [65535]},
              {"name": "i64", "shape": [1], "datatype": "UINT32", "data": [4294967295]},
              {"name": "b", "shape": [1], "datatype": "BOOL", "data": [true]},
              {"name": "s", "shape": [1], "datatype": "BYTES", "data": ["a"]}
            ], "outputs": [{"name": "i64_out"}, {"name": "f32_out"}]}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var outputs = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["outputs"]!.AsArray();
        Assert.Equal(
            """[{"name":"f32_out","datatype":"FP32","shape":[1,2],"data":[255,0]},{"name":"i64_out","datatype":"INT64","shape":[1],"data":[4294967295]}]""",
            outputs.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(HostileRequests))]
    public async Task Infer_HostileRequest_Answers4xxWithTheProtocolsErrorAndKeepsServing(string caseName, string path, string body)
    {
        using var response = await PostAsync(path, body);

        var snapshot = await ResponseSnapshot.MatchAsync(response, caseName);
        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var error = snapshot["body"]!["error"]!.ToString();
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);

        using var ok = await PostAsync("/v2/models/tabular_mlp/infer", Ok);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Theory]
    [InlineData("content_type_text", "text/plain")]
    [InlineData("content_type_missing", null)]
    public async Task Infer_NotJson_Answers415(string caseName, string? contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Ok));
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var response = await _app.Client.PostAsync("/v2/models/tabular_mlp/infer", content);

        await ResponseSnapshot.MatchAsync(response, caseName);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Infer_BodyOverTheLimit_Answers413()
    {
        var data = string.Join(", ", Enumerable.Repeat("0.5", (int)BodyLimit / 4));
        using var response = await PostAsync("/v2/models/tabular_mlp/infer", $$"""{"inputs": [{"name": "features", "shape": [{{BodyLimit / 32}}, 8], "datatype": "FP32", "data": [{{data}}]}]}""");

        await ResponseSnapshot.MatchAsync(response);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("get_on_infer", "GET", "/v2/models/tabular_mlp/infer")]
    [InlineData("post_on_metadata", "POST", "/v2/models/tabular_mlp")]
    [InlineData("delete_on_ready", "DELETE", "/v2/health/ready")]
    public async Task Endpoint_OtherMethod_Answers405WithAllow(string caseName, string method, string path)
    {
        using var response = await _app.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await ResponseSnapshot.MatchAsync(response, caseName);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Theory]
    [InlineData("tabular_mlp", "/v2/models/tabular_mlp")]
    [InlineData("mixed_inputs_version", "/v2/models/mixed_inputs/versions/1")]
    [InlineData("all_types", "/v2/models/all_types")]
    [InlineData("mymodel", "/v2/models/mymodel")]
    [InlineData("unknown_model", "/v2/models/nope")]
    [InlineData("unknown_version", "/v2/models/tabular_mlp/versions/2")]
    [InlineData("invalid_name", "/v2/models/NOPE")]
    [InlineData("typed_model", "/v2/models/driver_eta")]
    public async Task ModelMetadata_Answers_AsPinned(string caseName, string path)
    {
        using var response = await _app.Client.GetAsync(path);

        await ResponseSnapshot.MatchAsync(response, caseName);
    }

    [Theory]
    [InlineData("/v2/health/live", HttpStatusCode.OK)]
    [InlineData("/v2/health/ready", HttpStatusCode.OK)]
    [InlineData("/v2/models/tabular_mlp/ready", HttpStatusCode.OK)]
    [InlineData("/v2/models/tabular_mlp/versions/1/ready", HttpStatusCode.OK)]
    [InlineData("/v2/models/tabular_mlp/versions/2/ready", HttpStatusCode.BadRequest)]
    [InlineData("/v2/models/driver_eta/ready", HttpStatusCode.OK)]
    [InlineData("/v2/models/nope/ready", HttpStatusCode.NotFound)]
    public async Task Health_Answers_WithTheProtocolsStatus(string path, HttpStatusCode expected)
    {
        using var response = await _app.Client.GetAsync(path);

        Assert.Equal(expected, response.StatusCode);
        if (expected != HttpStatusCode.NotFound)
        {
            Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task ServerMetadata_WithoutTheAdminEndpoints_NamesTheServerAndItsVersionAndNoExtensions()
    {
        var metadata = await GetJsonAsync("/v2");

        Assert.Equal("lyftserving", metadata["name"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(metadata["version"]!.GetValue<string>()));
        Assert.Empty(metadata["extensions"]!.AsArray());
    }

    [Fact]
    public async Task Infer_ConcurrentMixOfGoodAndBadRequests_AnswersEachAsAlone()
    {
        var bad = $$"""{"inputs": [{"name": "features", "shape": [2, 8], "datatype": "FP32", "data": {{TabularRow}}}]}""";
        var tasks = Enumerable.Range(0, 200).Select(async i =>
        {
            using var response = await PostAsync("/v2/models/tabular_mlp/infer", i % 2 == 0 ? Ok : bad);
            return (i, response.StatusCode);
        });

        foreach (var (i, status) in await Task.WhenAll(tasks))
        {
            Assert.Equal(i % 2 == 0 ? HttpStatusCode.OK : HttpStatusCode.BadRequest, status);
        }
    }

    private async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await _app.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private Task<HttpResponseMessage> PostAsync(string path, string body) =>
        _app.Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
}
