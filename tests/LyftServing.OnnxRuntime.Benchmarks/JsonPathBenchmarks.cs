using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.ML.OnnxRuntime;

namespace LyftServing.OnnxRuntime.Benchmarks;

/// <summary>
/// One <c>POST /infer</c> body through the zero-code JSON path, without HTTP: parse the body into a
/// <see cref="JsonDocument"/> (as the endpoint does), predict through <see cref="IJsonModelClient"/>
/// (bind the features, check them against the signature, run ONNX Runtime) and write the answer
/// with <see cref="Utf8JsonWriter"/> — against the leanest hand-written code for the same body on
/// the same ONNX file (JsonDocument, a float[], an OrtValue, Utf8JsonWriter), as in the HTTP
/// benchmark's <c>/handwritten</c> endpoint. Reports time and bytes allocated per request.
/// </summary>
[MemoryDiagnoser]
public class JsonPathBenchmarks
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private IHost _host = null!;
    private IJsonModelClient _client = null!;
    private byte[] _body = null!;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private string[] _inputNames = null!;
    private string[] _outputNames = null!;
    private int _width;

    [Params("tabular_mlp", "bench_mlp")]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var models = Path.Combine(AppContext.BaseDirectory, "assets", "models");
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration[$"ModelServing:Models:{Model}:Runtime"] = "onnx";
        builder.Configuration[$"ModelServing:Models:{Model}:Store"] = models;
        builder.Services.AddLogging();
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing")).AddOnnxRuntime();
        _host = builder.Build();
        _host.StartAsync().GetAwaiter().GetResult();
        _host.Services.GetRequiredService<IModelProvider>().TryGetJsonClient(Model, out var client);
        _client = client!;

        // The request body of the HTTP benchmark: the first self-test case of the model.
        _body = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "bodies", Model + ".json"));

        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        _session = new InferenceSession(Path.Combine(models, Model, "1", "model.onnx"), options);
        _runOptions = new RunOptions();
        _inputNames = [_session.InputNames[0]];
        _outputNames = [_session.OutputNames[0]];
        _width = _session.InputMetadata[_inputNames[0]].Dimensions[1];

        var infer = Written(Infer);
        var handwritten = Written(Handwritten);
        if (infer != handwritten)
        {
            throw new InvalidOperationException($"The paths answer differently: {infer} and {handwritten}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
        _session.Dispose();
        _runOptions.Dispose();
    }

    /// <summary>The hand-written endpoint's work: JsonDocument, float[], OrtValue, Utf8JsonWriter.</summary>
    [Benchmark(Baseline = true, Description = "hand-written")]
    public int Handwritten()
    {
        _buffer.ResetWrittenCount();
        using var document = JsonDocument.Parse(_body);
        var root = document.RootElement;
        var modelId = root.GetProperty("model_id").GetString()!;
        var rows = root.GetProperty("features").GetProperty(_inputNames[0]);
        var rowCount = rows.GetArrayLength();
        var input = new float[rowCount * _width];
        var i = 0;
        foreach (var row in rows.EnumerateArray())
        {
            foreach (var value in row.EnumerateArray())
            {
                input[i++] = value.GetSingle();
            }
        }

        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [rowCount, _width]);
        using var outputs = _session.Run(_runOptions, _inputNames, [inputValue], _outputNames);
        var scores = outputs[0].GetTensorDataAsSpan<float>();
        using var writer = new Utf8JsonWriter(_buffer);
        writer.WriteStartObject();
        writer.WriteString("model_id", modelId);
        writer.WriteString("model_version", "1");
        writer.WriteStartObject("output");
        writer.WriteStartArray(_outputNames[0]);
        for (var r = 0; r < rowCount; r++)
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(scores[r]);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
        return _buffer.WrittenCount;
    }

    /// <summary>What <c>POST /infer</c> does with the body: JsonDocument, the JSON client, Utf8JsonWriter.</summary>
    [Benchmark(Description = "/infer JSON path")]
    public int Infer()
    {
        _buffer.ResetWrittenCount();
        using var document = JsonDocument.Parse(_body);
        var root = document.RootElement;
        var features = root.GetProperty("features");
        var pending = _client.PredictAsync(features, version: null, "$.features", CancellationToken.None);
        var prediction = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        using var writer = new Utf8JsonWriter(_buffer);
        writer.WriteStartObject();
        writer.WriteString("model_id"u8, prediction.ModelName);
        writer.WriteString("model_version"u8, prediction.ModelVersion);
        writer.WritePropertyName("output"u8);
        prediction.WriteOutput(writer);
        writer.WriteEndObject();
        writer.Flush();
        return _buffer.WrittenCount;
    }

    private string Written(Func<int> path)
    {
        var count = path();
        return System.Text.Encoding.UTF8.GetString(_buffer.WrittenSpan[..count]);
    }
}
