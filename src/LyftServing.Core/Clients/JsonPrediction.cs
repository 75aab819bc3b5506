using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace LyftServing;

/// <summary>The result of a call through <see cref="IJsonModelClient"/>: the output and the version that produced it.</summary>
public readonly struct JsonPrediction
{
    private readonly JsonTypeInfo _outputTypeInfo;

    /// <summary>Creates a result.</summary>
    /// <param name="modelName">The model's name.</param>
    /// <param name="modelVersion">The version that produced the output.</param>
    /// <param name="output">The output.</param>
    /// <param name="outputTypeInfo">How to write the output as JSON.</param>
    public JsonPrediction(string modelName, string modelVersion, object? output, JsonTypeInfo outputTypeInfo)
    {
        ArgumentNullException.ThrowIfNull(outputTypeInfo);
        ModelName = modelName;
        ModelVersion = modelVersion;
        Output = output;
        _outputTypeInfo = outputTypeInfo;
    }

    /// <summary>Gets the model's name.</summary>
    public string ModelName { get; }

    /// <summary>Gets the version that produced the output.</summary>
    public string ModelVersion { get; }

    /// <summary>Gets the output.</summary>
    public object? Output { get; }

    /// <summary>Writes the output as a JSON value.</summary>
    /// <param name="writer">The writer.</param>
    public void WriteOutput(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        JsonSerializer.Serialize(writer, Output, _outputTypeInfo);
    }
}
