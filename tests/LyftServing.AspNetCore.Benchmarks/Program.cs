using System.Text.Json;
using System.Text.Json.Serialization;
using LyftServing;
using LyftServing.Server.Models;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;

// One process, the same models behind each pair of endpoints (run.sh drives them with wrk):
//   POST /v2/models/{m}/infer  the Open Inference Protocol (MapOpenInferenceProtocol) for the onnx models;
//   POST /infer        LyftServing's HTTP endpoint (MapModelServing) through the model host:
//                      driver_eta (C# model code, version 2 of samples/models) and the zero-code
//                      onnx runtime for tabular_mlp and bench_mlp (tests/assets/models), and the
//                      zero-code lightgbm runtime for trip_risk and torchscript runtime for
//                      tabular_mlp_torchscript (samples/models);
//   POST /bare         a hand-written minimal API endpoint that binds the same request, calls a
//                      DriverEtaModel instance directly and writes the same answer;
//   POST /handwritten  the leanest hand-written ONNX endpoint a new user would write for the same
//                      ONNX files: parses the body with JsonDocument, fills a float[], runs ONNX
//                      Runtime through OrtValue and writes the answer with Utf8JsonWriter; for
//                      trip_risk the same with a double[] and LightGBM's C API (LGBM_BoosterPredictForMat);
//   POST /handwritten-torchscript  the same for tabular_mlp_torchscript (the TorchScript sample
//                      model, which /infer serves with the zero-code torchscript runtime) with
//                      TorchSharp: a tensor over the float[], forward in inference mode, the output.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var repo = Path.GetFullPath(builder.Configuration["RepoRoot"] ?? Path.Combine(AppContext.BaseDirectory, "../../../../.."));
var store = Path.Combine(repo, "samples/models");
var onnxStore = Path.Combine(repo, "tests/assets/models");
string[] onnxModels = ["tabular_mlp", "bench_mlp"];
const string TorchScriptModel = "tabular_mlp_torchscript";

builder.Configuration.AddInMemoryCollection(onnxModels.SelectMany(m => new KeyValuePair<string, string?>[]
{
    new($"ModelServing:Models:{m}:Runtime", "onnx"),
    new($"ModelServing:Models:{m}:Store", onnxStore),
})
    .Append(new($"ModelServing:Models:{TorchScriptModel}:Runtime", "torchscript")).Append(new($"ModelServing:Models:{TorchScriptModel}:Store", store))
    .Append(new("ModelServing:Models:trip_risk:Runtime", "lightgbm")).Append(new("ModelServing:Models:trip_risk:Store", store)));
builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing"))
    .ConfigureJson(json => json.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower)
    .AddModel<DriverEtaModel, EtaFeatures, EtaPrediction>("driver_eta", m => m.FromStore(store).PinVersion("2"))
    .AddOnnxRuntime()
    .AddTorchScriptRuntime()
    .AddLightGbmRuntime();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);

var app = builder.Build();

var bare = new DriverEtaModel();
await bare.LoadAsync(await new FileSystemModelStore(store).GetArtifactAsync("driver_eta", "2", CancellationToken.None), CancellationToken.None);

// The same session options as the onnx runtime's defaults: one intra-op and one inter-op thread.
var sessions = onnxModels.ToDictionary(m => m, m => new HandwrittenOnnx(Path.Combine(onnxStore, m, "1", "model.onnx")));
var booster = new HandwrittenLightGbm(Path.Combine(store, "trip_risk", "1", "model.txt"));

// The same settings as the torchscript runtime's defaults: one intra-op thread (set here once,
// libtorch's default for every thread that has not run yet).
torch.set_num_threads(1);
var script = torch.jit.load<torch.Tensor, torch.Tensor>(Path.Combine(store, TorchScriptModel, "1", "model.pt"));
script.eval();

app.MapModelServing();
app.MapOpenInferenceProtocol();
app.MapPost("/bare", (BareRequest request) => new BareResponse(request.ModelId, "2", bare.Predict(request.Features)));
app.MapPost("/handwritten", async (HttpContext context) =>
{
    using var document = await JsonDocument.ParseAsync(context.Request.Body);
    var root = document.RootElement;
    var modelId = root.GetProperty("model_id").GetString()!;
    if (modelId == "trip_risk")
    {
        await booster.InferAsync(context, root);
        return;
    }

    var model = sessions[modelId];
    var rows = root.GetProperty("features").GetProperty(model.InputName);
    var rowCount = rows.GetArrayLength();
    var input = new float[rowCount * model.Width];
    var i = 0;
    foreach (var row in rows.EnumerateArray())
    {
        foreach (var value in row.EnumerateArray())
        {
            input[i++] = value.GetSingle();
        }
    }

    using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [rowCount, model.Width]);
    using var outputs = model.Session.Run(model.RunOptions, model.InputNames, [inputValue], model.OutputNames);
    var output = outputs[0];
    var outputWidth = (int)output.GetTensorTypeAndShape().Shape[1];
    var scores = output.GetTensorDataAsSpan<float>();

    context.Response.ContentType = "application/json; charset=utf-8";
    using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
    {
        writer.WriteStartObject();
        writer.WriteString("model_id", modelId);
        writer.WriteString("model_version", "1");
        writer.WriteStartObject("output");
        writer.WriteStartArray(model.OutputNames[0]);
        for (var r = 0; r < rowCount; r++)
        {
            writer.WriteStartArray();
            foreach (var score in scores.Slice(r * outputWidth, outputWidth))
            {
                writer.WriteNumberValue(score);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    await context.Response.BodyWriter.FlushAsync();
});

app.MapPost("/handwritten-torchscript", async (HttpContext context) =>
{
    using var document = await JsonDocument.ParseAsync(context.Request.Body);
    var root = document.RootElement;
    var modelId = root.GetProperty("model_id").GetString()!;
    var rows = root.GetProperty("features").GetProperty("features");
    var rowCount = rows.GetArrayLength();
    var input = new float[rowCount * 8];
    var i = 0;
    foreach (var row in rows.EnumerateArray())
    {
        foreach (var value in row.EnumerateArray())
        {
            input[i++] = value.GetSingle();
        }
    }

    float[] scores;
    using (torch.inference_mode())
    {
        using var tensor = torch.tensor(input, [rowCount, 8]);
        using var result = script.forward(tensor);
        scores = result.data<float>().ToArray();
    }

    context.Response.ContentType = "application/json; charset=utf-8";
    using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
    {
        writer.WriteStartObject();
        writer.WriteString("model_id", modelId);
        writer.WriteString("model_version", "1");
        writer.WriteStartObject("output");
        writer.WriteStartArray("score");
        foreach (var score in scores)
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(score);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    await context.Response.BodyWriter.FlushAsync();
});

app.Run();

internal sealed record BareRequest(string ModelId, [property: JsonPropertyName("model_version")] string? ModelVersion, EtaFeatures Features);

internal sealed record BareResponse(string ModelId, string ModelVersion, EtaPrediction Output);

internal sealed class HandwrittenOnnx
{
    public HandwrittenOnnx(string path)
    {
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        Session = new InferenceSession(path, options);
        InputName = Session.InputNames[0];
        InputNames = [InputName];
        OutputNames = [Session.OutputNames[0]];
        Width = Session.InputMetadata[InputName].Dimensions[1];
    }

    public InferenceSession Session { get; }

    public RunOptions RunOptions { get; } = new();

    public string InputName { get; }

    public string[] InputNames { get; }

    public string[] OutputNames { get; }

    public int Width { get; }
}

/// <summary>The leanest hand-written LightGBM endpoint: JsonDocument, a double[], LightGBM's matrix API, Utf8JsonWriter.</summary>
internal sealed partial class HandwrittenLightGbm
{
    private readonly nint _booster;
    private readonly int _features;
    private readonly int _outputs;

    public HandwrittenLightGbm(string path)
    {
        Check(LGBM_BoosterCreateFromModelfile(path, out _, out _booster));
        Check(LGBM_BoosterGetNumFeature(_booster, out _features));
        Check(LGBM_BoosterCalcNumPredict(_booster, 1, 0, 0, 0, out var outputs));
        _outputs = (int)outputs;
    }

    public async Task InferAsync(HttpContext context, JsonElement root)
    {
        var rows = root.GetProperty("features").GetProperty("features");
        var rowCount = rows.GetArrayLength();
        var input = new double[rowCount * _features];
        var i = 0;
        foreach (var row in rows.EnumerateArray())
        {
            foreach (var value in row.EnumerateArray())
            {
                input[i++] = value.GetDouble();
            }
        }

        var scores = new double[rowCount * _outputs];
        Predict(input, rowCount, scores);

        context.Response.ContentType = "application/json; charset=utf-8";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteString("model_id", "trip_risk");
            writer.WriteString("model_version", "1");
            writer.WriteStartObject("output");
            writer.WriteStartArray("score");
            for (var r = 0; r < rowCount; r++)
            {
                writer.WriteStartArray();
                for (var k = 0; k < _outputs; k++)
                {
                    writer.WriteNumberValue(scores[(r * _outputs) + k]);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync();
    }

    private unsafe void Predict(double[] input, int rowCount, double[] scores)
    {
        fixed (double* data = input)
        fixed (double* result = scores)
        {
            Check(LGBM_BoosterPredictForMat(_booster, data, 1, rowCount, _features, 1, 0, 0, 0, "num_threads=1", out _, result));
        }
    }

    private static void Check(int result)
    {
        if (result != 0)
        {
            throw new InvalidOperationException(System.Runtime.InteropServices.Marshal.PtrToStringUTF8(LGBM_GetLastError()));
        }
    }

    [System.Runtime.InteropServices.LibraryImport("lib_lightgbm")]
    private static partial nint LGBM_GetLastError();

    [System.Runtime.InteropServices.LibraryImport("lib_lightgbm", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial int LGBM_BoosterCreateFromModelfile(string path, out int iterations, out nint booster);

    [System.Runtime.InteropServices.LibraryImport("lib_lightgbm")]
    private static partial int LGBM_BoosterGetNumFeature(nint booster, out int count);

    [System.Runtime.InteropServices.LibraryImport("lib_lightgbm")]
    private static partial int LGBM_BoosterCalcNumPredict(nint booster, int rows, int predictType, int startIteration, int iterations, out long length);

    [System.Runtime.InteropServices.LibraryImport("lib_lightgbm", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static unsafe partial int LGBM_BoosterPredictForMat(nint booster, double* data, int dataType, int rows, int columns, int isRowMajor, int predictType, int startIteration, int iterations, string parameters, out long length, double* result);
}
