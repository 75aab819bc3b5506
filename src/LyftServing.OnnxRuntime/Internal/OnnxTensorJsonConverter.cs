using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LyftServing.OnnxRuntime.Internal;

/// <summary>
/// Reads a tensor from a nested JSON array (a scalar for rank 0) and writes it back. Reading checks
/// the structure only (rectangular, one kind of value); the model checks types and shapes against
/// its inputs.
/// </summary>
/// <remarks>
/// Errors are <see cref="JsonException"/>s whose <see cref="JsonException.Path"/> is already set to
/// the bad element relative to the features (<c>$.x[1]</c>), so System.Text.Json keeps the message
/// and the path instead of replacing them with its own.
/// </remarks>
internal sealed class OnnxTensorJsonConverter : JsonConverter<OnnxTensor>
{
    public override OnnxTensor Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return Parse(document.RootElement, "$");
    }

    public override void Write(Utf8JsonWriter writer, OnnxTensor value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        var index = 0;
        WriteLevel(writer, value, 0, ref index, options);
    }

    /// <summary>Parses a tensor from JSON; <paramref name="path"/> is the path of <paramref name="element"/>, used in errors.</summary>
    public static OnnxTensor Parse(JsonElement element, string path)
    {
        var parser = new Parser(path);
        parser.Walk(element, 0, path);
        return parser.Build();
    }

    private static void WriteLevel(Utf8JsonWriter writer, OnnxTensor tensor, int dimension, ref int index, JsonSerializerOptions options)
    {
        if (dimension == tensor.Rank)
        {
            WriteValue(writer, tensor.Values, index++, options);
            return;
        }

        writer.WriteStartArray();
        var length = tensor.Shape[dimension];
        for (long i = 0; i < length; i++)
        {
            WriteLevel(writer, tensor, dimension + 1, ref index, options);
        }

        writer.WriteEndArray();
    }

    private static void WriteValue(Utf8JsonWriter writer, Array values, int index, JsonSerializerOptions options)
    {
        switch (values)
        {
            case float[] floats:
                var f = floats[index];
                if (float.IsFinite(f))
                {
                    writer.WriteNumberValue(f);
                }
                else
                {
                    WriteNonFinite(writer, f, options);
                }

                break;
            case double[] doubles:
                var d = doubles[index];
                if (double.IsFinite(d))
                {
                    writer.WriteNumberValue(d);
                }
                else
                {
                    WriteNonFinite(writer, d, options);
                }

                break;
            case int[] ints:
                writer.WriteNumberValue(ints[index]);
                break;
            case long[] longs:
                writer.WriteNumberValue(longs[index]);
                break;
            case bool[] bools:
                writer.WriteBooleanValue(bools[index]);
                break;
            case string[] strings:
                writer.WriteStringValue(strings[index]);
                break;
            default:
                throw new JsonException($"Tensors of {values.GetType().GetElementType()?.Name} cannot be written as JSON.");
        }
    }

    private static void WriteNonFinite(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        // JSON has no NaN or infinity; write them as strings only where the options allow it.
        if ((options.NumberHandling & JsonNumberHandling.AllowNamedFloatingPointLiterals) == 0)
        {
            throw new JsonException(
                $"The tensor holds {value.ToString(CultureInfo.InvariantCulture)}, which JSON cannot represent; allow named floating-point literals (JsonNumberHandling.AllowNamedFloatingPointLiterals) with ConfigureJson to write it as a string.");
        }

        writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }

    private sealed class Parser(string rootPath)
    {
        private readonly List<long> _shape = [];
        private readonly List<string> _firstPathAtDepth = [];
        private readonly List<JsonElement> _leaves = [];
        private int _leafDepth = -1;
        private string? _firstLeafPath;
        private JsonValueKind _leafKind;

        public void Walk(JsonElement element, int depth, string path)
        {
            if (element.ValueKind == JsonValueKind.Array)
            {
                if (_leafDepth >= 0 && depth >= _leafDepth)
                {
                    throw Error(path, $"it is an array, but '{_firstLeafPath ?? _firstPathAtDepth[^1]}' at the same depth is not; a tensor must be a rectangular nested array (ragged arrays are not allowed).");
                }

                var length = element.GetArrayLength();
                if (depth < _shape.Count)
                {
                    if (_shape[depth] != length)
                    {
                        throw Error(path, string.Create(CultureInfo.InvariantCulture, $"it has {length} elements, but '{_firstPathAtDepth[depth]}' has {_shape[depth]}; a tensor must be a rectangular nested array (ragged arrays are not allowed)."));
                    }
                }
                else
                {
                    _shape.Add(length);
                    _firstPathAtDepth.Add(path);
                }

                if (length == 0)
                {
                    // Nothing deeper: the tensor ends at this depth (a dimension of size 0).
                    if (_leafDepth < 0)
                    {
                        _leafDepth = depth + 1;
                    }
                    else if (_leafDepth != depth + 1)
                    {
                        throw Error(path, $"it is empty, but '{_firstPathAtDepth[depth]}' is not; a tensor must be a rectangular nested array (ragged arrays are not allowed).");
                    }

                    return;
                }

                var index = 0;
                foreach (var child in element.EnumerateArray())
                {
                    Walk(child, depth + 1, path + "[" + index.ToString(CultureInfo.InvariantCulture) + "]");
                    index++;
                }

                return;
            }

            if (_leafDepth < 0)
            {
                _leafDepth = depth;
            }

            if (depth != _leafDepth || depth < _shape.Count)
            {
                throw Error(path, $"it is a single value, but '{(depth < _firstPathAtDepth.Count ? _firstPathAtDepth[depth] : _firstLeafPath)}' at the same depth is an array; a tensor must be a rectangular nested array (ragged arrays are not allowed).");
            }

            var kind = element.ValueKind == JsonValueKind.False ? JsonValueKind.True : element.ValueKind;
            if (kind is not (JsonValueKind.Number or JsonValueKind.String or JsonValueKind.True))
            {
                throw Error(path, $"it is {Describe(element.ValueKind)}; tensor elements must be numbers, strings or true/false.");
            }

            if (_firstLeafPath is null)
            {
                _firstLeafPath = path;
                _leafKind = kind;
            }
            else if (kind != _leafKind)
            {
                throw Error(path, $"it is {Describe(kind)}, but '{_firstLeafPath}' is {Describe(_leafKind)}; all elements of a tensor must be of one kind (all numbers, all strings or all true/false).");
            }

            _leaves.Add(element);
        }

        public OnnxTensor Build()
        {
            var shape = _shape.ToArray();
            var count = _leaves.Count;
            Array values;
            switch (_leafKind)
            {
                case JsonValueKind.String:
                    var strings = new string[count];
                    for (var i = 0; i < count; i++)
                    {
                        strings[i] = _leaves[i].GetString()!;
                    }

                    values = strings;
                    break;
                case JsonValueKind.True:
                    var bools = new bool[count];
                    for (var i = 0; i < count; i++)
                    {
                        bools[i] = _leaves[i].GetBoolean();
                    }

                    values = bools;
                    break;
                case JsonValueKind.Number:
                    values = ReadNumbers();
                    break;
                default:
                    // No elements at all (a dimension of size 0): the element type does not matter.
                    values = Array.Empty<float>();
                    break;
            }

            return OnnxTensor.CreateUnchecked(values, shape);
        }

        private Array ReadNumbers()
        {
            var count = _leaves.Count;
            var longs = new long[count];
            for (var i = 0; i < count; i++)
            {
                if (!_leaves[i].TryGetInt64(out longs[i]))
                {
                    return ReadDoubles();
                }
            }

            return longs;
        }

        private double[] ReadDoubles()
        {
            var doubles = new double[_leaves.Count];
            for (var i = 0; i < doubles.Length; i++)
            {
                if (!_leaves[i].TryGetDouble(out doubles[i]) || !double.IsFinite(doubles[i]))
                {
                    throw Error(ElementPathOf(i), $"the number {_leaves[i].GetRawText()} is out of range.");
                }
            }

            return doubles;
        }

        private string ElementPathOf(int flatIndex) =>
            TensorElement.ElementPath(rootPath, [.. _shape], flatIndex);

        private static string Describe(JsonValueKind kind) => kind switch
        {
            JsonValueKind.Number => "a number",
            JsonValueKind.String => "a string",
            JsonValueKind.True or JsonValueKind.False => "true/false",
            JsonValueKind.Null => "null",
            JsonValueKind.Object => "an object",
            _ => "an array",
        };

        private static JsonException Error(string path, string message) => new(message, path, null, null);
    }
}
