using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LyftServing.Internal;

/// <summary>
/// Reads tensors from nested JSON arrays straight into pooled buffers, one pass over the tokens,
/// and writes them back without intermediate objects. Reading checks the structure (rectangular,
/// one kind of value, finite numbers); a model checks element types and shapes against its
/// signature. Errors are <see cref="TensorJsonException"/>s naming the element's path, relative to
/// the path the caller gives (<c>$.features</c> for the features of an HTTP request); paths are
/// only built when there is an error.
/// </summary>
internal static class TensorJson
{
    /// <summary>The most dimensions a tensor read from JSON may have.</summary>
    public const int MaxRank = 64;

    private const string Rectangular = "a tensor must be a rectangular nested array (ragged arrays are not allowed).";

    public static Tensors ReadTensors(ref Utf8JsonReader reader, string path, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new TensorJsonException(
                path,
                $"'{path}' must be a JSON object of input name → tensor (a nested array, or a single value for a scalar), such as {{\"x\": [[0.5, 1.5]]}}, not {Describe(reader.TokenType)}.");
        }

        var tensors = new Tensors(2) { SourcePath = path };
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = JsonNames.Get(ref reader);
            if (tensors.IndexOf(name) >= 0)
            {
                var member = TensorElements.MemberPath(path, name);
                throw new TensorJsonException(member, $"'{member}' appears more than once: send each input once.");
            }

            reader.Read();
            tensors.AddUnchecked(name, Read(ref reader, path, name, options));
        }

        return tensors;
    }

    /// <summary>Reads the tensor at the reader's token; its path is <paramref name="parentPath"/> and, if given, the member <paramref name="name"/>.</summary>
    public static Tensor Read(ref Utf8JsonReader reader, string parentPath, string? name, JsonSerializerOptions options)
    {
        var state = new ReadState(parentPath, name, (options.NumberHandling & JsonNumberHandling.AllowNamedFloatingPointLiterals) != 0);
        Span<long> dimensions = stackalloc long[MaxRank + 1];
        Span<int> indices = stackalloc int[MaxRank + 1];
        Span<int> firstLeaf = stackalloc int[MaxRank + 1];
        var values = default(LeafBuffer);
        try
        {
            dimensions.Fill(-1);
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                state.ReadLeaf<Utf8JsonReader, ReaderAccess>(ref reader, ref values, [], []);
                return values.Build(state.Kind, []);
            }

            var depth = 0;
            var leafDepth = -1;
            do
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartArray:
                        state.CheckArray(leafDepth, indices[..depth], firstLeaf);
                        indices[depth++] = 0;
                        break;
                    case JsonTokenType.EndArray:
                        var length = indices[--depth];
                        state.CheckLength(dimensions, ref leafDepth, indices[..depth], length);
                        if (depth == 0)
                        {
                            return values.Build(state.Kind, dimensions[..leafDepth].ToArray());
                        }

                        indices[depth - 1]++;
                        break;
                    case JsonTokenType.Number when depth == leafDepth && state.Kind == LeafKind.Float && reader.TryGetDouble(out var number) && double.IsFinite(number):
                        // The steady state of a float tensor, kept out of the general path below.
                        values.Add(BitConverter.DoubleToInt64Bits(number));
                        indices[depth - 1]++;
                        break;
                    default:
                        state.CheckLeaf(ref leafDepth, indices[..depth], firstLeaf);
                        state.ReadLeaf<Utf8JsonReader, ReaderAccess>(ref reader, ref values, indices[..depth], firstLeaf[..leafDepth]);
                        indices[depth - 1]++;
                        break;
                }
            }
            while (reader.Read());

            throw state.Error([], "ends before its arrays are closed.");
        }
        finally
        {
            values.Dispose();
        }
    }

    /// <summary>
    /// Reads tensors from an element of a parsed document (such as the features of an HTTP request):
    /// the same checks and errors as <see cref="ReadTensors(ref Utf8JsonReader, string, JsonSerializerOptions)"/>,
    /// without tokenizing the text a second time.
    /// </summary>
    public static Tensors ReadTensors(JsonElement element, string path, JsonSerializerOptions options)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new TensorJsonException(
                path,
                $"'{path}' must be a JSON object of input name → tensor (a nested array, or a single value for a scalar), such as {{\"x\": [[0.5, 1.5]]}}, not {Describe(ElementAccess.Token(ref element))}.");
        }

        var tensors = new Tensors(2) { SourcePath = path };
        foreach (var property in element.EnumerateObject())
        {
            var name = JsonNames.Get(property);
            if (tensors.IndexOf(name) >= 0)
            {
                var member = TensorElements.MemberPath(path, name);
                throw new TensorJsonException(member, $"'{member}' appears more than once: send each input once.");
            }

            tensors.AddUnchecked(name, Read(property.Value, path, name, options));
        }

        return tensors;
    }

    private static Tensor Read(JsonElement element, string parentPath, string name, JsonSerializerOptions options)
    {
        var state = new ReadState(parentPath, name, (options.NumberHandling & JsonNumberHandling.AllowNamedFloatingPointLiterals) != 0);
        Span<long> dimensions = stackalloc long[MaxRank + 1];
        Span<int> indices = stackalloc int[MaxRank + 1];
        Span<int> firstLeaf = stackalloc int[MaxRank + 1];
        var values = default(LeafBuffer);
        try
        {
            dimensions.Fill(-1);
            var leafDepth = -1;
            Walk(element, 0, ref state, ref values, dimensions, indices, firstLeaf, ref leafDepth);
            return values.Build(state.Kind, element.ValueKind == JsonValueKind.Array ? dimensions[..leafDepth].ToArray() : []);
        }
        finally
        {
            values.Dispose();
        }
    }

    /// <summary>Reads the element at <paramref name="depth"/>; depth-first, in the order the token reader sees the values.</summary>
    private static void Walk(JsonElement element, int depth, ref ReadState state, ref LeafBuffer values, Span<long> dimensions, Span<int> indices, Span<int> firstLeaf, ref int leafDepth)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            if (depth > 0 && depth == leafDepth && state.Kind == LeafKind.Float && element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var number) && double.IsFinite(number))
            {
                values.Add(BitConverter.DoubleToInt64Bits(number));
                return;
            }

            state.CheckLeaf(ref leafDepth, indices[..depth], firstLeaf);
            state.ReadLeaf<JsonElement, ElementAccess>(ref element, ref values, indices[..depth], firstLeaf[..leafDepth]);
            return;
        }

        state.CheckArray(leafDepth, indices[..depth], firstLeaf);
        var index = 0;
        foreach (var child in element.EnumerateArray())
        {
            indices[depth] = index++;
            Walk(child, depth + 1, ref state, ref values, dimensions, indices, firstLeaf, ref leafDepth);
        }

        state.CheckLength(dimensions, ref leafDepth, indices[..depth], index);
    }

    public static void WriteTensors(Utf8JsonWriter writer, Tensors tensors, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        for (var i = 0; i < tensors.Count; i++)
        {
            writer.WritePropertyName(tensors.NameAt(i));
            Write(writer, tensors.TensorAt(i), options);
        }

        writer.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter writer, Tensor tensor, JsonSerializerOptions options)
    {
        if (tensor.Rank == 0)
        {
            WriteRow(writer, tensor.Values, 0, 1, options);
            return;
        }

        var offset = 0;
        WriteLevel(writer, tensor, 0, ref offset, options);
    }

    private static void WriteLevel(Utf8JsonWriter writer, Tensor tensor, int dimension, ref int offset, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        var length = (int)tensor.ShapeArray[dimension];
        if (dimension == tensor.Rank - 1)
        {
            WriteRow(writer, tensor.Values, offset, length, options);
            offset += length;
        }
        else
        {
            for (var i = 0; i < length; i++)
            {
                WriteLevel(writer, tensor, dimension + 1, ref offset, options);
            }
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes consecutive values: one type test per row, not per value.</summary>
    private static void WriteRow(Utf8JsonWriter writer, Array values, int start, int count, JsonSerializerOptions options)
    {
        switch (values)
        {
            case float[] floats:
                foreach (var f in floats.AsSpan(start, count))
                {
                    if (float.IsFinite(f))
                    {
                        writer.WriteNumberValue(f);
                    }
                    else
                    {
                        WriteNonFinite(writer, f, options);
                    }
                }

                break;
            case double[] doubles:
                foreach (var d in doubles.AsSpan(start, count))
                {
                    if (double.IsFinite(d))
                    {
                        writer.WriteNumberValue(d);
                    }
                    else
                    {
                        WriteNonFinite(writer, d, options);
                    }
                }

                break;
            case int[] ints:
                foreach (var n in ints.AsSpan(start, count))
                {
                    writer.WriteNumberValue(n);
                }

                break;
            case long[] longs:
                foreach (var n in longs.AsSpan(start, count))
                {
                    writer.WriteNumberValue(n);
                }

                break;
            case bool[] bools:
                foreach (var b in bools.AsSpan(start, count))
                {
                    writer.WriteBooleanValue(b);
                }

                break;
            default:
                foreach (var s in ((string[])values).AsSpan(start, count))
                {
                    writer.WriteStringValue(s);
                }

                break;
        }
    }

    private static void WriteNonFinite(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        // JSON has no NaN or infinity; write them as strings only where the options allow it.
        if ((options.NumberHandling & JsonNumberHandling.AllowNamedFloatingPointLiterals) == 0)
        {
            throw new JsonException(
                $"The tensor holds {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}, which JSON cannot represent; allow named floating-point literals (JsonNumberHandling.AllowNamedFloatingPointLiterals) with ConfigureJson to write it as a string.");
        }

        writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }

    /// <summary>The path to compare a ragged array with: its first sibling, or for a first child the first array at that depth.</summary>
    private static int[] Sibling(ReadOnlySpan<int> indices)
    {
        var sibling = indices.ToArray();
        if (sibling.Length > 0 && sibling[^1] > 0)
        {
            sibling[^1] = 0;
        }
        else
        {
            Array.Clear(sibling);
        }

        return sibling;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "true/false",
        JsonTokenType.StartObject => "an object",
        _ => "null",
    };

    /// <summary>What has been read so far: the kind of the values and where the tensor is, for errors.</summary>
    private struct ReadState(string parentPath, string? name, bool allowNamedLiterals)
    {
        public LeafKind Kind;

        public void ReadLeaf<TSource, TAccess>(scoped ref TSource leaf, ref LeafBuffer values, scoped ReadOnlySpan<int> indices, scoped ReadOnlySpan<int> firstLeaf)
            where TSource : allows ref struct
            where TAccess : ILeafAccess<TSource>
        {
            var kind = TAccess.Token(ref leaf) switch
            {
                JsonTokenType.Number => Kind == LeafKind.Float ? LeafKind.Float : LeafKind.Integer,
                JsonTokenType.String when allowNamedLiterals && IsNamedLiteral<TSource, TAccess>(ref leaf) => LeafKind.Float,
                JsonTokenType.String => LeafKind.String,
                JsonTokenType.True or JsonTokenType.False => LeafKind.Bool,
                JsonTokenType.Null => throw Error(indices, "is null; tensor elements must be numbers, strings or true/false."),
                JsonTokenType.StartObject => throw Error(indices, "is an object; tensor elements must be numbers, strings or true/false."),
                _ => throw Error(indices, "is not a tensor element."),
            };

            if (Kind == LeafKind.None)
            {
                Kind = kind;
            }
            else if (Kind != kind && !(Kind == LeafKind.Integer && kind == LeafKind.Float))
            {
                var named = kind == LeafKind.String && IsNamedLiteral<TSource, TAccess>(ref leaf)
                    ? " (JSON numbers cannot be NaN or Infinity; send finite numbers)"
                    : string.Empty;
                throw Error(indices, $"is {Describe(kind)}{named}, but '{PathOf(firstLeaf)}' is {Describe(Kind)}; all elements of a tensor must be of one kind (all numbers, all strings or all true/false).");
            }

            switch (kind)
            {
                case LeafKind.Integer:
                    if (TAccess.TryGetInt64(ref leaf, out var integer))
                    {
                        values.Add(integer);
                        break;
                    }

                    // Not an integer (a fraction, an exponent, or beyond 64 bits): from here on the tensor holds doubles.
                    Kind = LeafKind.Float;
                    values.ToDoubles();
                    values.Add(BitConverter.DoubleToInt64Bits(ReadDouble<TSource, TAccess>(ref leaf, indices)));
                    break;
                case LeafKind.Float:
                    if (Kind == LeafKind.Integer)
                    {
                        Kind = LeafKind.Float;
                        values.ToDoubles();
                    }

                    values.Add(BitConverter.DoubleToInt64Bits(ReadDouble<TSource, TAccess>(ref leaf, indices)));
                    break;
                case LeafKind.Bool:
                    values.Add(TAccess.Token(ref leaf) == JsonTokenType.True ? 1 : 0);
                    break;
                default:
                    values.AddString(TAccess.GetString(ref leaf));
                    break;
            }
        }

        /// <summary>An array starts at <paramref name="indices"/>: an array where single values are is ragged.</summary>
        public readonly void CheckArray(int leafDepth, scoped ReadOnlySpan<int> indices, scoped ReadOnlySpan<int> firstLeaf)
        {
            if (leafDepth >= 0 && indices.Length >= leafDepth)
            {
                throw Error(
                    indices,
                    Kind == LeafKind.None
                        ? $"is an array, but the arrays before it at the same depth are empty; {Rectangular}"
                        : $"is an array, but '{PathOf(firstLeaf[..leafDepth])}' at the same depth is a single value; {Rectangular}");
            }

            if (indices.Length == MaxRank)
            {
                throw Error(indices, $"nests arrays deeper than {MaxRank} levels.");
            }
        }

        /// <summary>An array at <paramref name="indices"/> has <paramref name="length"/> elements: the first at its depth sets the dimension, the others must match.</summary>
        public readonly void CheckLength(Span<long> dimensions, ref int leafDepth, scoped ReadOnlySpan<int> indices, int length)
        {
            var depth = indices.Length;
            if (dimensions[depth] < 0)
            {
                dimensions[depth] = length;
                if (length == 0 && leafDepth < 0)
                {
                    leafDepth = depth + 1;
                }
                else if (length == 0 && leafDepth != depth + 1)
                {
                    throw Error(indices, $"is empty, but the arrays at the same depth are not; {Rectangular}");
                }
            }
            else if (dimensions[depth] != length)
            {
                throw Error(indices, $"has {length} elements, but '{PathOf(Sibling(indices))}' has {dimensions[depth]}; {Rectangular}");
            }
        }

        /// <summary>A single value at <paramref name="indices"/>: the first sets the depth of values, the others must be there.</summary>
        public readonly void CheckLeaf(ref int leafDepth, scoped ReadOnlySpan<int> indices, Span<int> firstLeaf)
        {
            if (leafDepth < 0)
            {
                leafDepth = indices.Length;
                indices.CopyTo(firstLeaf);
            }
            else if (indices.Length != leafDepth)
            {
                throw Error(indices, $"is a single value, but '{PathOf(firstLeaf[..leafDepth])}' is nested {leafDepth} levels deep; {Rectangular}");
            }
        }

        public readonly TensorJsonException Error(scoped ReadOnlySpan<int> indices, string reason)
        {
            var path = PathOf(indices);
            return new TensorJsonException(path, $"'{path}' {reason}");
        }

        public readonly string PathOf(scoped ReadOnlySpan<int> indices) =>
            TensorElements.IndexPath(name is null ? parentPath : TensorElements.MemberPath(parentPath, name), indices);

        private readonly double ReadDouble<TSource, TAccess>(scoped ref TSource leaf, scoped ReadOnlySpan<int> indices)
            where TSource : allows ref struct
            where TAccess : ILeafAccess<TSource>
        {
            if (TAccess.Token(ref leaf) == JsonTokenType.String)
            {
                return TAccess.TextEquals(ref leaf, "NaN"u8) ? double.NaN : TAccess.TextEquals(ref leaf, "Infinity"u8) ? double.PositiveInfinity : double.NegativeInfinity;
            }

            return TAccess.TryGetDouble(ref leaf, out var value) && double.IsFinite(value)
                ? value
                : throw Error(indices, $"is {TAccess.RawText(ref leaf)}, which is out of range: numbers must fit a 64-bit floating-point number (at most about 1.8e308 in size).");
        }

        private static bool IsNamedLiteral<TSource, TAccess>(scoped ref TSource leaf)
            where TSource : allows ref struct
            where TAccess : ILeafAccess<TSource> =>
            TAccess.TextEquals(ref leaf, "NaN"u8) || TAccess.TextEquals(ref leaf, "Infinity"u8) || TAccess.TextEquals(ref leaf, "-Infinity"u8);

        private static string Describe(LeafKind kind) => kind switch
        {
            LeafKind.Integer or LeafKind.Float => "a number",
            LeafKind.String => "a string",
            _ => "true/false",
        };
    }

    /// <summary>How to read one value from a source: the token reader at its current token, or an element of a parsed document.</summary>
    private interface ILeafAccess<TSource>
        where TSource : allows ref struct
    {
        static abstract JsonTokenType Token(ref TSource source);

        static abstract bool TryGetInt64(ref TSource source, out long value);

        static abstract bool TryGetDouble(ref TSource source, out double value);

        static abstract string GetString(ref TSource source);

        static abstract bool TextEquals(ref TSource source, ReadOnlySpan<byte> utf8);

        static abstract string RawText(ref TSource source);
    }

    private readonly struct ReaderAccess : ILeafAccess<Utf8JsonReader>
    {
        public static JsonTokenType Token(ref Utf8JsonReader source) => source.TokenType;

        public static bool TryGetInt64(ref Utf8JsonReader source, out long value) => source.TryGetInt64(out value);

        public static bool TryGetDouble(ref Utf8JsonReader source, out double value) => source.TryGetDouble(out value);

        public static string GetString(ref Utf8JsonReader source) => source.GetString()!;

        public static bool TextEquals(ref Utf8JsonReader source, ReadOnlySpan<byte> utf8) => source.ValueTextEquals(utf8);

        public static string RawText(ref Utf8JsonReader source) =>
            source.HasValueSequence ? Encoding.UTF8.GetString(source.ValueSequence) : Encoding.UTF8.GetString(source.ValueSpan);
    }

    private readonly struct ElementAccess : ILeafAccess<JsonElement>
    {
        public static JsonTokenType Token(ref JsonElement source) => source.ValueKind switch
        {
            JsonValueKind.Number => JsonTokenType.Number,
            JsonValueKind.String => JsonTokenType.String,
            JsonValueKind.True => JsonTokenType.True,
            JsonValueKind.False => JsonTokenType.False,
            JsonValueKind.Object => JsonTokenType.StartObject,
            JsonValueKind.Array => JsonTokenType.StartArray,
            _ => JsonTokenType.Null,
        };

        public static bool TryGetInt64(ref JsonElement source, out long value) => source.TryGetInt64(out value);

        public static bool TryGetDouble(ref JsonElement source, out double value) => source.TryGetDouble(out value);

        public static string GetString(ref JsonElement source) => source.GetString()!;

        public static bool TextEquals(ref JsonElement source, ReadOnlySpan<byte> utf8) => source.ValueEquals(utf8);

        public static string RawText(ref JsonElement source) => source.GetRawText();
    }

    private enum LeafKind
    {
        None,
        Integer,
        Float,
        Bool,
        String,
    }

    /// <summary>The values read so far, in arrays rented from the shared pool; doubles kept as their bits.</summary>
    private struct LeafBuffer
    {
        private long[]? _rented;
        private string[]? _strings;
        private int _count;

        public void Add(long value)
        {
            if (_rented is null || _count == _rented.Length)
            {
                Grow();
            }

            _rented![_count++] = value;
        }

        public void AddString(string value)
        {
            if (_strings is null || _count == _strings.Length)
            {
                var larger = ArrayPool<string>.Shared.Rent(Math.Max(16, _count * 2));
                _strings?.AsSpan(0, _count).CopyTo(larger);
                ReturnStrings();
                _strings = larger;
            }

            _strings[_count++] = value;
        }

        public readonly void ToDoubles()
        {
            foreach (ref var value in _rented.AsSpan(0, _count))
            {
                value = BitConverter.DoubleToInt64Bits(value);
            }
        }

        public readonly Tensor Build(LeafKind kind, long[] shape)
        {
            var count = _count;
            Array values = kind switch
            {
                LeafKind.Integer => _rented.AsSpan(0, count).ToArray(),
                LeafKind.Float => ToFloats(MemoryMarshal.Cast<long, double>(_rented.AsSpan(0, count))),
                LeafKind.Bool => ToBools(_rented.AsSpan(0, count)),
                LeafKind.String => _strings.AsSpan(0, count).ToArray(),

                // No elements at all (a dimension of size 0): the element type does not matter.
                _ => Array.Empty<float>(),
            };
            return Tensor.CreateUnchecked(values, shape);
        }

        public void Dispose()
        {
            if (_rented is not null)
            {
                ArrayPool<long>.Shared.Return(_rented);
                _rented = null;
            }

            ReturnStrings();
        }

        private void Grow()
        {
            var larger = ArrayPool<long>.Shared.Rent(Math.Max(64, _count * 2));
            if (_rented is not null)
            {
                _rented.AsSpan(0, _count).CopyTo(larger);
                ArrayPool<long>.Shared.Return(_rented);
            }

            _rented = larger;
        }

        private void ReturnStrings()
        {
            if (_strings is not null)
            {
                ArrayPool<string>.Shared.Return(_strings, clearArray: true);
                _strings = null;
            }
        }

        /// <summary>Numbers that are all exactly float32 values (what models mostly take) are kept as such: half the memory, and nothing to convert.</summary>
        private static Array ToFloats(ReadOnlySpan<double> values)
        {
            foreach (var value in values)
            {
                if ((double)(float)value != value)
                {
                    return values.ToArray();
                }
            }

            var floats = new float[values.Length];
            for (var i = 0; i < floats.Length; i++)
            {
                floats[i] = (float)values[i];
            }

            return floats;
        }

        private static bool[] ToBools(ReadOnlySpan<long> values)
        {
            var bools = new bool[values.Length];
            for (var i = 0; i < bools.Length; i++)
            {
                bools[i] = values[i] != 0;
            }

            return bools;
        }
    }
}

/// <summary>A tensor that is not valid JSON for a tensor; the message names the element's path and is meant for the caller.</summary>
internal sealed class TensorJsonException(string path, string message) : JsonException(message, path, null, null);

/// <summary>Reads <see cref="Tensor"/> values with <see cref="TensorJson"/>.</summary>
internal sealed class TensorJsonConverter : JsonConverter<Tensor>
{
    public override Tensor Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TensorJson.Read(ref reader, "$", name: null, options);

    public override void Write(Utf8JsonWriter writer, Tensor value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        TensorJson.Write(writer, value, options);
    }
}

/// <summary>Reads and writes <see cref="Tensors"/> as a JSON object of name → nested array.</summary>
internal sealed class TensorsJsonConverter : JsonConverter<Tensors>
{
    public override Tensors Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TensorJson.ReadTensors(ref reader, "$", options);

    public override void Write(Utf8JsonWriter writer, Tensors value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        TensorJson.WriteTensors(writer, value, options);
    }
}

/// <summary>
/// Property names read from JSON, kept once: the names of a model's inputs arrive with every
/// request, so after the first they cost a comparison instead of a string. Bounded, so names a
/// caller makes up cannot grow it.
/// </summary>
internal static class JsonNames
{
    private const int Capacity = 32;
    private static (byte[] Utf8, string Name)[] s_names = [];

    public static string Get(ref Utf8JsonReader reader)
    {
        var names = Volatile.Read(ref s_names);
        foreach (var (utf8, name) in names)
        {
            if (reader.ValueTextEquals(utf8))
            {
                return name;
            }
        }

        return Remember(names, reader.GetString()!);
    }

    public static string Get(JsonProperty property)
    {
        var names = Volatile.Read(ref s_names);
        foreach (var (utf8, name) in names)
        {
            if (property.NameEquals(utf8))
            {
                return name;
            }
        }

        return Remember(names, property.Name);
    }

    private static string Remember((byte[] Utf8, string Name)[] names, string read)
    {
        if (names.Length < Capacity)
        {
            // Lost races only cost a later lookup.
            Interlocked.CompareExchange(ref s_names, [.. names, (Encoding.UTF8.GetBytes(read), read)], names);
        }

        return read;
    }
}
