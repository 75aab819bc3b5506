using System.Text.Json;
using System.Text.Json.Serialization;

namespace LyftServing.OnnxRuntime.Internal;

/// <summary>Reads and writes <see cref="OnnxTensors"/> as a JSON object of name → nested array.</summary>
internal sealed class OnnxTensorsJsonConverter : JsonConverter<OnnxTensors>
{
    public override OnnxTensors Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            // Not a JsonException: System.Text.Json would replace its message with a generic one at
            // the root path, and callers need to learn the expected shape of the features.
            throw new InvalidOperationException(
                $"ONNX features must be a JSON object of input name → tensor (a nested array, or a single value for a scalar), such as {{\"x\": [[0.5, 1.5]]}}; got {Describe(root.ValueKind)}.");
        }

        var tensors = new OnnxTensors();
        foreach (var property in root.EnumerateObject())
        {
            var path = TensorElement.MemberPath("$", property.Name);
            if (tensors.ContainsKey(property.Name))
            {
                throw new JsonException($"the name '{property.Name}' appears more than once.", path, null, null);
            }

            tensors.Add(property.Name, OnnxTensorJsonConverter.Parse(property.Value, path));
        }

        return tensors;
    }

    public override void Write(Utf8JsonWriter writer, OnnxTensors value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        var tensorConverter = (JsonConverter<OnnxTensor>)options.GetConverter(typeof(OnnxTensor));
        writer.WriteStartObject();
        foreach (var (name, tensor) in value)
        {
            writer.WritePropertyName(name);
            tensorConverter.Write(writer, tensor, options);
        }

        writer.WriteEndObject();
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true/false",
        _ => "null",
    };
}
