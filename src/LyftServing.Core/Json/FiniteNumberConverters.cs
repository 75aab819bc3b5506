using System.Text.Json;
using System.Text.Json.Serialization;

namespace LyftServing.Internal;

/// <summary>
/// Reads <see cref="double"/> and <see cref="float"/> features strictly: a JSON number outside the
/// type's range (such as <c>1e400</c>, or <c>1e39</c> for a float) is an error, not infinity.
/// </summary>
internal sealed class FiniteDoubleConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        // TokenType checked by GetDouble; a non-finite result means the number overflowed.
        var value = reader.GetDouble();
        return double.IsFinite(value) ? value : throw new JsonException();
    }

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}

/// <inheritdoc cref="FiniteDoubleConverter"/>
internal sealed class FiniteSingleConverter : JsonConverter<float>
{
    public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetSingle();
        return float.IsFinite(value) ? value : throw new JsonException();
    }

    public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}
