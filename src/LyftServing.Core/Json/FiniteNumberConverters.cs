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
        // A non-number token throws here, as GetDouble would; a non-finite result means the number overflowed.
        return reader.TryGetDouble(out var value) && double.IsFinite(value) ? value : throw OutOfRange(ref reader);
    }

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) => writer.WriteNumberValue(value);

    /// <summary>A number that does not fit: System.Text.Json keeps this message and adds the path.</summary>
    internal static JsonException OutOfRange(ref Utf8JsonReader reader, string type = "a 64-bit floating-point number (at most about 1.8e308 in size)") =>
        reader.TokenType == JsonTokenType.Number
            ? new JsonException($"it is out of range: numbers must fit {type}.")
            : new JsonException();
}

/// <inheritdoc cref="FiniteDoubleConverter"/>
internal sealed class FiniteSingleConverter : JsonConverter<float>
{
    public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        return reader.TryGetSingle(out var value) && float.IsFinite(value) ? value : throw FiniteDoubleConverter.OutOfRange(ref reader, "a 32-bit floating-point number (at most about 3.4e38 in size)");
    }

    public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}
