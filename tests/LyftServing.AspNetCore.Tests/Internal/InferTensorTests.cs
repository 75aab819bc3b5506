using System.Net;
using System.Text;
using System.Text.Json;
using LyftServing.AspNetCore.Tests.Infrastructure;

namespace LyftServing.AspNetCore.Tests.Internal;

/// <summary>
/// The JSON tensor path through <c>POST /infer</c>, on real ONNX models served by the zero-code
/// <c>onnx</c> runtime: every malformed tensor is a 400 whose detail and <c>path</c> name the
/// element in the request, and the service keeps serving.
/// </summary>
public sealed class InferTensorTests : IAsyncLifetime
{
    private const long BodyLimit = 16 * 1024 * 1024;
    private const string Row = "[1.28, 0.76, 1.02, 0.33, 0.40, -0.72, 0.01, 0.73]";
    private const string AllTypes = "\"f32\": [[1, 2]], \"f64\": [[1, 2]], \"i32\": [3], \"i64\": [4], \"b\": [true], \"s\": [\"a\"]";
    private TestApp _app = null!;

    public static TheoryData<string, string, string> Cases => new()
    {
        // case, model, features; each answer is pinned by a snapshot (detail and path).
        { "ragged_rows", "tabular_mlp", $$"""{"features": [{{Row}}, [1, 2]]}""" },
        { "ragged_depth", "tabular_mlp", """{"features": [[1, 2, 3, 4, 5, 6, 7, [8]]]}""" },
        { "wrong_rank", "tabular_mlp", """{"features": [1, 2, 3, 4, 5, 6, 7, 8]}""" },
        { "wrong_row_length", "tabular_mlp", """{"features": [[1, 2, 3]]}""" },
        { "wrong_element_type_bool_for_numbers", "tabular_mlp", """{"features": [[true, false, true, false, true, false, true, false]]}""" },
        { "wrong_element_type_numbers_for_bool", "all_types", """{"f32": [[1, 2]], "f64": [[1, 2]], "i32": [3], "i64": [4], "b": [1], "s": ["a"]}""" },
        { "strings_where_numbers_belong", "tabular_mlp", """{"features": [["1.28", "0.76", "1.02", "0.33", "0.40", "-0.72", "0.01", "0.73"]]}""" },
        { "mixed_kinds", "tabular_mlp", """{"features": [[1.28, "0.76", 1.02, 0.33, 0.40, -0.72, 0.01, 0.73]]}""" },
        { "fraction_for_int64", "mixed_inputs", """{"x": [[1, 2, 3, 4]], "category": [[1.5]]}""" },
        { "int32_overflow", "all_types", """{"f32": [[1, 2]], "f64": [[1, 2]], "i32": [2147483648], "i64": [4], "b": [true], "s": ["a"]}""" },
        { "int64_overflow", "all_types", """{"f32": [[1, 2]], "f64": [[1, 2]], "i32": [3], "i64": [9223372036854775808], "b": [true], "s": ["a"]}""" },
        { "number_out_of_range", "tabular_mlp", """{"features": [[1.28, 1e999, 1.02, 0.33, 0.40, -0.72, 0.01, 0.73]]}""" },
        { "nan_literal", "tabular_mlp", """{"features": [[1.28, NaN, 1.02, 0.33, 0.40, -0.72, 0.01, 0.73]]}""" },
        { "infinity_literal", "tabular_mlp", """{"features": [[1.28, -Infinity, 1.02, 0.33, 0.40, -0.72, 0.01, 0.73]]}""" },
        { "nan_string", "tabular_mlp", """{"features": [[1.28, "NaN", 1.02, 0.33, 0.40, -0.72, 0.01, 0.73]]}""" },
        { "null_element", "tabular_mlp", """{"features": [[1.28, null, 1.02, 0.33, 0.40, -0.72, 0.01, 0.73]]}""" },
        { "empty_batch", "tabular_mlp", """{"features": []}""" },
        { "empty_row", "tabular_mlp", """{"features": [[]]}""" },
        { "unknown_input", "tabular_mlp", $$"""{"features": [{{Row}}], "extra": [[1]]}""" },
        { "missing_input", "mixed_inputs", """{"x": [[1, 2, 3, 4]]}""" },
        { "duplicate_input", "tabular_mlp", $$"""{"features": [{{Row}}], "features": [{{Row}}]}""" },
        { "batch_sizes_disagree", "mixed_inputs", """{"x": [[1, 2, 3, 4], [5, 6, 7, 8]], "category": [[1]]}""" },
        { "features_not_an_object", "tabular_mlp", $$"""[{{Row}}]""" },
        { "too_deep", "tabular_mlp", "{\"features\": " + new string('[', 40) + new string(']', 40) + "}" },
        { "odd_input_name", "tabular_mlp", """{"fea'tures": [[1]]}""" },
    };

    public async Task InitializeAsync() =>
        _app = await TestApp.StartAsync(
            (serving, _) =>
            {
                var models = Path.Combine(AppContext.BaseDirectory, "assets", "models");
                serving.ConfigureHttp(o => o.MaxRequestBodySize = BodyLimit);
                foreach (var model in new[] { "tabular_mlp", "mixed_inputs", "all_types" })
                {
                    serving.AddOnnxModel(model, m => m.FromStore(models));
                }
            },
            TestApp.MapStandard);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Infer_MalformedTensor_Answers400NamingThePathInTheRequest(string caseName, string model, string features)
    {
        using var response = await PostAsync(model, features);

        var problem = (await ResponseSnapshot.MatchAsync(response, caseName))["body"]!;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var path = problem["path"]?.ToString();
        Assert.False(string.IsNullOrEmpty(path), "The problem names no path.");
        Assert.StartsWith("$.features", path, StringComparison.Ordinal);
        Assert.Contains($"'{path}'", problem["detail"]!.ToString(), StringComparison.Ordinal);

        // The service keeps serving.
        using var ok = await PostAsync("tabular_mlp", $$"""{"features": [{{Row}}]}""");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Infer_MillionElementTensorUnderTheBodyLimit_IsAnswered()
    {
        const int rows = 125_000;
        var features = new StringBuilder("{\"features\": [");
        for (var r = 0; r < rows; r++)
        {
            features.Append(r == 0 ? string.Empty : ",").Append(Row);
        }

        features.Append("]}");

        using var response = await PostAsync("tabular_mlp", features.ToString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var scores = answer.RootElement.GetProperty("output").GetProperty("score");
        Assert.Equal(rows, scores.GetArrayLength());
        Assert.Equal(scores[0][0].GetSingle(), scores[rows - 1][0].GetSingle());
    }

    [Fact]
    public async Task Infer_EveryElementType_RoundTripsThroughHttp()
    {
        using var response = await PostAsync(
            "all_types",
            """{"f32": [[0.1, -1.25]], "f64": [[0.1, 1e-300]], "i32": [-2147483648], "i64": [9007199254740993], "b": [false], "s": ["héllo \"world\""]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var output = answer.RootElement.GetProperty("output");
        Assert.Equal(0.1f, output.GetProperty("f32_out")[0][0].GetSingle());
        Assert.Equal(1e-300, output.GetProperty("f64_out")[0][1].GetDouble());
        Assert.Equal(int.MinValue, output.GetProperty("i32_out")[0].GetInt32());
        Assert.Equal(9007199254740993L, output.GetProperty("i64_out")[0].GetInt64());
        Assert.False(output.GetProperty("b_out")[0].GetBoolean());
        Assert.Equal("héllo \"world\"", output.GetProperty("s_out")[0].GetString());
    }

    private Task<HttpResponseMessage> PostAsync(string model, string features) =>
        _app.Client.PostAsync("/infer", new StringContent($$"""{"model_id": "{{model}}", "features": {{features}}}""", Encoding.UTF8, "application/json"));
}
