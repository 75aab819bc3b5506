using System.Globalization;
using System.Text.Json;

namespace LyftServing.AspNetCore.Internal;

/// <summary>
/// An Open Inference Protocol inference request read from its JSON body: the input tensors (flat
/// row-major or nested <c>data</c>, checked against <c>shape</c> and <c>datatype</c>), the outputs
/// asked for, and the <c>id</c> and <c>parameters</c> the answer echoes.
/// </summary>
internal sealed class OpenInferenceRequest
{
    public const string Example = "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [0.5, 1, 2, 3]}]}";

    private OpenInferenceRequest(Tensors inputs, string? id, JsonElement parameters, string[]? outputs)
    {
        Inputs = inputs;
        Id = id;
        Parameters = parameters;
        Outputs = outputs;
    }

    /// <summary>Gets the input tensors by name.</summary>
    public Tensors Inputs { get; }

    /// <summary>Gets the request's <c>id</c>, echoed in the answer.</summary>
    public string? Id { get; }

    /// <summary>Gets the request's <c>parameters</c> object (undefined when absent), echoed in the answer.</summary>
    public JsonElement Parameters { get; }

    /// <summary>Gets the names of the outputs asked for, or <see langword="null"/> for all of them.</summary>
    public string[]? Outputs { get; }

    /// <summary>Reads a request; the problem's detail names the JSON path of what is wrong.</summary>
    /// <param name="root">The body, a JSON object.</param>
    /// <param name="maxValues">The most values the body can hold, which bounds what a <c>shape</c> may claim before anything is allocated.</param>
    /// <param name="request">The request, when it is valid.</param>
    /// <returns>The problem, or <see langword="null"/>.</returns>
    public static string? TryRead(JsonElement root, long maxValues, out OpenInferenceRequest? request)
    {
        request = null;
        JsonElement id = default, parameters = default, inputs = default, outputs = default;
        foreach (var property in root.EnumerateObject())
        {
            // The protocol lets servers define fields of their own: others are ignored, as other servers do.
            var known = property.NameEquals("id"u8) ? Set(ref id, property.Value)
                : property.NameEquals("parameters"u8) ? Set(ref parameters, property.Value)
                : property.NameEquals("inputs"u8) ? Set(ref inputs, property.Value)
                : !property.NameEquals("outputs"u8) || Set(ref outputs, property.Value);
            if (!known)
            {
                return $"'$.{property.Name}' appears more than once: send it once.";
            }
        }

        if (id.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.String))
        {
            return $"'$.id' must be a string, not {JsonRequestReader.Describe(id.ValueKind)}.";
        }

        if (parameters.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Object))
        {
            return $"'$.parameters' must be an object of name/value pairs, not {JsonRequestReader.Describe(parameters.ValueKind)}.";
        }

        if (inputs.ValueKind != JsonValueKind.Array || inputs.GetArrayLength() == 0)
        {
            return inputs.ValueKind == JsonValueKind.Undefined
                ? $"The request has no 'inputs': send the input tensors, for example {Example}."
                : inputs.ValueKind == JsonValueKind.Array
                ? "'$.inputs' is empty: send at least one input tensor."
                : $"'$.inputs' must be an array of input tensors, not {JsonRequestReader.Describe(inputs.ValueKind)}.";
        }

        var tensors = new Tensors();
        var index = 0;
        foreach (var input in inputs.EnumerateArray())
        {
            var problem = ReadInput(input, index, maxValues, tensors);
            if (problem is not null)
            {
                return problem;
            }

            index++;
        }

        string[]? names = null;
        if (outputs.ValueKind != JsonValueKind.Undefined)
        {
            var problem = ReadOutputs(outputs, out names);
            if (problem is not null)
            {
                return problem;
            }
        }

        request = new OpenInferenceRequest(tensors, id.ValueKind == JsonValueKind.String ? id.GetString() : null, parameters, names);
        return null;
    }

    private static string? ReadInput(JsonElement input, int index, long maxValues, Tensors tensors)
    {
        if (input.ValueKind != JsonValueKind.Object)
        {
            return $"'{InputPath(index)}' must be an input tensor object with name, shape, datatype and data, not {JsonRequestReader.Describe(input.ValueKind)}.";
        }

        JsonElement name = default, shape = default, datatype = default, data = default;
        foreach (var property in input.EnumerateObject())
        {
            var once = property.NameEquals("name"u8) ? Set(ref name, property.Value)
                : property.NameEquals("shape"u8) ? Set(ref shape, property.Value)
                : property.NameEquals("datatype"u8) ? Set(ref datatype, property.Value)
                : !property.NameEquals("data"u8) || Set(ref data, property.Value);
            if (!once)
            {
                return $"'{InputPath(index)}.{property.Name}' appears more than once: send it once.";
            }
        }

        if (name.ValueKind != JsonValueKind.String || name.GetString() is not { Length: > 0 } inputName)
        {
            return name.ValueKind == JsonValueKind.Undefined
                ? $"'{InputPath(index)}' has no 'name': name the model's input, for example \"name\": \"x\"."
                : $"'{InputPath(index)}.name' must be a non-empty string (the model's input name).";
        }

        if (tensors.ContainsKey(inputName))
        {
            return $"'{InputPath(index)}.name': the input '{JsonRequestReader.Echo(inputName)}' appears more than once: send each input once.";
        }

        if (datatype.ValueKind != JsonValueKind.String || !OpenInferenceDatatypes.TryParse(datatype, out var type))
        {
            return datatype.ValueKind == JsonValueKind.Undefined
                ? $"'{InputPath(index)}' has no 'datatype': send one of {OpenInferenceDatatypes.Supported}."
                : datatype.ValueKind == JsonValueKind.String
                ? $"'{InputPath(index)}.datatype' '{JsonRequestReader.Echo(datatype.GetString()!)}' is not supported here: send one of {OpenInferenceDatatypes.Supported}."
                : $"'{InputPath(index)}.datatype' must be a string: one of {OpenInferenceDatatypes.Supported}.";
        }

        var problem = ReadShape(shape, index, maxValues, out var dimensions, out var count);
        if (problem is not null)
        {
            return problem;
        }

        if (data.ValueKind != JsonValueKind.Array)
        {
            return data.ValueKind == JsonValueKind.Undefined
                ? $"'{InputPath(index)}' has no 'data': send the tensor's values as a JSON array, flat in row-major order or nested."
                : $"'{InputPath(index)}.data' must be a JSON array of values (flat in row-major order, or nested), not {JsonRequestReader.Describe(data.ValueKind)}.";
        }

        var reader = new DataReader(type, count, index);
        problem = reader.Read(data, depth: 0);
        if (problem is not null)
        {
            return problem;
        }

        if (reader.Count != count)
        {
            return $"'{InputPath(index)}.data' holds {reader.Count} values, but its shape {FormatShape(dimensions)} holds {count}: send as many values as the shape's dimensions multiply to.";
        }

        tensors.Add(inputName, reader.ToTensor(dimensions));
        return null;
    }

    private static string? ReadShape(JsonElement shape, int index, long maxValues, out long[] dimensions, out int count)
    {
        dimensions = [];
        count = 0;
        if (shape.ValueKind != JsonValueKind.Array)
        {
            return shape.ValueKind == JsonValueKind.Undefined
                ? $"'{InputPath(index)}' has no 'shape': send the tensor's dimensions, for example \"shape\": [1, 4]."
                : $"'{InputPath(index)}.shape' must be an array of dimensions, not {JsonRequestReader.Describe(shape.ValueKind)}.";
        }

        dimensions = new long[shape.GetArrayLength()];
        long product = 1;
        var i = 0;
        foreach (var dimension in shape.EnumerateArray())
        {
            if (dimension.ValueKind != JsonValueKind.Number || !dimension.TryGetInt64(out var value) || value < 0)
            {
                return $"'{InputPath(index)}.shape[{i}]' must be a whole number of at least 0.";
            }

            dimensions[i++] = value;
            product = value == 0 || product == 0 ? 0 : product > maxValues / value ? maxValues + 1 : product * value;
        }

        if (product > maxValues)
        {
            return $"'{InputPath(index)}.shape' {FormatShape(dimensions)} holds more values than a request body of this server can carry: send a smaller tensor.";
        }

        count = (int)product;
        return null;
    }

    private static string? ReadOutputs(JsonElement outputs, out string[]? names)
    {
        names = null;
        if (outputs.ValueKind != JsonValueKind.Array)
        {
            return $"'$.outputs' must be an array of requested outputs such as [{{\"name\": \"y\"}}], not {JsonRequestReader.Describe(outputs.ValueKind)}.";
        }

        var list = new string[outputs.GetArrayLength()];
        var i = 0;
        foreach (var output in outputs.EnumerateArray())
        {
            if (output.ValueKind != JsonValueKind.Object || !output.TryGetProperty("name"u8, out var name) || name.ValueKind != JsonValueKind.String || name.GetString() is not { Length: > 0 } value)
            {
                return $"'$.outputs[{i}]' must be an object with the output's name, such as {{\"name\": \"y\"}}.";
            }

            if (Array.IndexOf(list, value, 0, i) >= 0)
            {
                return $"'$.outputs[{i}]': the output '{JsonRequestReader.Echo(value)}' is asked for more than once: ask for each output once.";
            }

            list[i++] = value;
        }

        names = list;
        return null;
    }

    /// <summary>The JSON path of an input, built only for the detail of a rejection.</summary>
    private static string InputPath(int index) => string.Create(CultureInfo.InvariantCulture, $"$.inputs[{index}]");

    /// <summary>Sets a field read once; <see langword="false"/> when it was read already.</summary>
    private static bool Set(ref JsonElement field, JsonElement value)
    {
        if (field.ValueKind != JsonValueKind.Undefined)
        {
            return false;
        }

        field = value;
        return true;
    }

    public static string FormatShape(ReadOnlySpan<long> shape)
    {
        var builder = new System.Text.StringBuilder("[");
        for (var i = 0; i < shape.Length; i++)
        {
            builder.Append(i == 0 ? string.Empty : ", ").Append(shape[i].ToString(CultureInfo.InvariantCulture));
        }

        return builder.Append(']').ToString();
    }

    /// <summary>
    /// Reads the values of one tensor, flat or nested, into an array of its element type; the
    /// indices of the value being read are kept so a rejection names its path, which is built only then.
    /// </summary>
    private sealed class DataReader(OpenInferenceDatatypes.Datatype type, int capacity, int input)
    {
        private readonly Array _values = type.ElementType switch
        {
            TensorElementType.Float32 => new float[capacity],
            TensorElementType.Float64 => new double[capacity],
            TensorElementType.Int32 => new int[capacity],
            TensorElementType.Int64 => new long[capacity],
            TensorElementType.Bool => new bool[capacity],
            _ => new string[capacity],
        };

        private int[] _indices = new int[4];

        public int Count { get; private set; }

        public Tensor ToTensor(long[] shape) => type.ElementType switch
        {
            TensorElementType.Float32 => Tensor.Create((float[])_values, shape),
            TensorElementType.Float64 => Tensor.Create((double[])_values, shape),
            TensorElementType.Int32 => Tensor.Create((int[])_values, shape),
            TensorElementType.Int64 => Tensor.Create((long[])_values, shape),
            TensorElementType.Bool => Tensor.Create((bool[])_values, shape),
            _ => Tensor.Create((string[])_values, shape),
        };

        public string? Read(JsonElement array, int depth)
        {
            if (depth == _indices.Length)
            {
                Array.Resize(ref _indices, depth * 2);
            }

            var i = 0;
            foreach (var element in array.EnumerateArray())
            {
                _indices[depth] = i++;
                var problem = element.ValueKind == JsonValueKind.Array ? Read(element, depth + 1) : Add(element, depth + 1);
                if (problem is not null)
                {
                    return problem;
                }
            }

            return null;
        }

        /// <summary>The path of the value being read, such as <c>$.inputs[0].data[1][3]</c>.</summary>
        private string At(int depth)
        {
            var path = new System.Text.StringBuilder(InputPath(input)).Append(".data");
            for (var d = 0; d < depth; d++)
            {
                path.Append('[').Append(_indices[d].ToString(CultureInfo.InvariantCulture)).Append(']');
            }

            return path.ToString();
        }

        private string? Add(JsonElement element, int depth)
        {
            if (Count >= capacity)
            {
                // More values than the shape holds: counted, not stored, for the message.
                Count++;
                return null;
            }

            switch (_values)
            {
                case float[] floats when element.ValueKind == JsonValueKind.Number:
                    var single = (float)element.GetDouble();
                    if (float.IsInfinity(single))
                    {
                        return $"'{At(depth)}' is out of the range of FP32.";
                    }

                    floats[Count++] = single;
                    return null;
                case double[] doubles when element.ValueKind == JsonValueKind.Number:
                    var value = element.GetDouble();
                    if (double.IsInfinity(value))
                    {
                        return $"'{At(depth)}' is out of the range of FP64.";
                    }

                    doubles[Count++] = value;
                    return null;
                case int[] ints when element.ValueKind == JsonValueKind.Number:
                    if (!element.TryGetInt32(out var int32))
                    {
                        return $"'{At(depth)}' must be a whole number in the range of INT32.";
                    }

                    ints[Count++] = int32;
                    return null;
                case long[] longs when element.ValueKind == JsonValueKind.Number:
                    if (!element.TryGetInt64(out var int64) || int64 < type.Min || int64 > type.Max)
                    {
                        return $"'{At(depth)}' must be a whole number from {type.Min} to {type.Max} for the datatype of '{InputPath(input)}.data'.";
                    }

                    longs[Count++] = int64;
                    return null;
                case bool[] bools when element.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    bools[Count++] = element.GetBoolean();
                    return null;
                case string[] strings when element.ValueKind == JsonValueKind.String:
                    strings[Count++] = element.GetString()!;
                    return null;
                default:
                    var expected = type.ElementType switch
                    {
                        TensorElementType.Bool => "true or false",
                        TensorElementType.String => "a string",
                        _ => "a number",
                    };
                    return $"'{At(depth)}' must be {expected} for the datatype of '{InputPath(input)}.data', not {JsonRequestReader.Describe(element.ValueKind)}.";
            }
        }
    }
}
