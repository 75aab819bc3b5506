using System.Text.Json;
using CsCheck;

namespace LyftServing.Tests.TensorKit;

/// <summary>Property-based tests of the tensor JSON converter: what is written reads back the same.</summary>
public sealed class TensorJsonPropertyTests
{
    private static readonly JsonSerializerOptions Options = ReadOnly(new ModelJsonOptions().SerializerOptions);

    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<LyftServing.Tensors> TensorsInfo =
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<LyftServing.Tensors>)Options.GetTypeInfo(typeof(LyftServing.Tensors));

    /// <summary>
    /// Shapes of rank 0 to 4. JSON cannot tell <c>[0,3]</c> from <c>[0]</c> (an empty array has no
    /// element to show the rest), so only the last dimension may be 0.
    /// </summary>
    private static readonly Gen<long[]> Shapes =
        from rank in Gen.Int[0, 4]
        from dims in Gen.Long[1, 4].Array[rank]
        from emptyLast in Gen.Int[0, 9]
        select rank > 0 && emptyLast == 0 ? [.. dims[..^1], 0L] : dims;

    private static readonly Gen<Tensor> Tensors =
        from shape in Shapes
        from type in Gen.Enum<TensorElementType>()
        from tensor in Values(type, checked((int)shape.Aggregate(1L, (a, b) => a * b)), shape)
        select tensor;

    [Fact]
    public void WriteThenRead_AnyTensor_GivesTheSameValuesAndShape()
    {
        Tensors.Sample(
            tensor =>
            {
                var json = JsonSerializer.Serialize(new LyftServing.Tensors { { "x", tensor } }, Options);
                var read = JsonSerializer.Deserialize<LyftServing.Tensors>(json, Options)!["x"];

                Assert.Equal(tensor.Shape.ToArray(), read.Shape.ToArray());

                // The JSON number types are not the tensor's: bind to its type, as a model does, and compare exactly.
                var spec = new TensorSpec("x", tensor.ElementType, tensor.Shape.ToArray());
                using var inputs = new ModelSignature([spec], [spec]).BindInputs("m", new LyftServing.Tensors { { "x", read } });
                try
                {
                    AssertSameValues(tensor, inputs);
                }
                catch (Exception ex)
                {
                    throw new InvalidOperationException($"{tensor} {json} read as {read}", ex);
                }
            },
            iter: 2000);
    }

    [Fact]
    public void WriteThenBindFromADocument_AnyTensor_GivesTheSameValuesAndShape()
    {
        // The JSON client's path: features are an element of the caller's parsed document.
        Tensors.Sample(
            tensor =>
            {
                var json = JsonSerializer.Serialize(new LyftServing.Tensors { { "x", tensor } }, Options);
                using var document = JsonDocument.Parse(json);
                var read = LyftServing.Internal.JsonFeatureBinder.Bind("m", document.RootElement, "$.features", TensorsInfo)["x"];

                Assert.Equal(tensor.Shape.ToArray(), read.Shape.ToArray());
                var spec = new TensorSpec("x", tensor.ElementType, tensor.Shape.ToArray());
                using var inputs = new ModelSignature([spec], [spec]).BindInputs("m", new LyftServing.Tensors { { "x", read } });
                AssertSameValues(tensor, inputs);
            },
            iter: 1000);
    }

    [Theory]
    [InlineData("""{"x": [[1, 2], [3]]}""")]
    [InlineData("""{"x": [[1, 2], [3, [4]]]}""")]
    [InlineData("""{"x": [[1, 2], 3]}""")]
    [InlineData("""{"x": [[], [[1]]]}""")]
    [InlineData("""{"x": [[1], []]}""")]
    [InlineData("""{"x": [1, "a"]}""")]
    [InlineData("""{"x": [1, "NaN"]}""")]
    [InlineData("""{"x": [true, null]}""")]
    [InlineData("""{"x": [1, {"a": 1}]}""")]
    [InlineData("""{"x": [1, 1e999]}""")]
    [InlineData("""{"x": [1], "x": [2]}""")]
    [InlineData("""[1, 2]""")]
    public void Read_MalformedTensors_DocumentAndReaderGiveTheSameError(string json)
    {
        using var document = JsonDocument.Parse(json);

        var fromReader = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<LyftServing.Tensors>(json, Options));
        var fromDocument = Assert.Throws<ModelFeaturesException>(() => LyftServing.Internal.JsonFeatureBinder.Bind("m", document.RootElement, "$", TensorsInfo));

        Assert.Equal(fromReader.Message, fromDocument.Message);
        Assert.Equal(fromReader.Path, fromDocument.Path);
    }

    [Fact]
    public void WriteThenRead_Float32Values_StayFloat32WithoutConversion()
    {
        Gen.Float.Where(float.IsFinite).Array[1, 64].Sample(values =>
        {
            var json = JsonSerializer.Serialize(Tensor.Create(values, values.Length), Options);
            var read = JsonSerializer.Deserialize<Tensor>(json, Options)!;

            Assert.Equal(values.Length, read.Length);
            if (read.ElementType == TensorElementType.Float32)
            {
                Assert.Equal(values, read.GetValues<float>().ToArray());
            }
            else if (read.ElementType == TensorElementType.Int64)
            {
                // Every float was a whole number written without an exponent, as its shortest text
                // (-887603072 is written -887603100): read as int64, it converts back to the very same float32.
                Assert.Equal(values, read.GetValues<long>().ToArray().Select(v => (float)v));
            }
            else
            {
                // A shortest float32 text that is not itself a float32 value (such as 3.4028235E+38) reads as
                // float64, and converts back to the very same float32.
                Assert.Equal(TensorElementType.Float64, read.ElementType);
                Assert.Equal(values, read.GetValues<double>().ToArray().Select(v => (float)v));
            }
        });
    }

    private static JsonSerializerOptions ReadOnly(JsonSerializerOptions options)
    {
        // As the host makes them: resolvers filled in, so type metadata can be asked for.
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private static void AssertSameValues(Tensor expected, TensorInputs actual)
    {
        switch (expected.ElementType)
        {
            case TensorElementType.Float32:
                Assert.Equal(expected.GetValues<float>().ToArray(), actual.GetMemory<float>(0).ToArray());
                break;
            case TensorElementType.Float64:
                Assert.Equal(expected.GetValues<double>().ToArray(), actual.GetMemory<double>(0).ToArray());
                break;
            case TensorElementType.Int32:
                Assert.Equal(expected.GetValues<int>().ToArray(), actual.GetMemory<int>(0).ToArray());
                break;
            case TensorElementType.Int64:
                Assert.Equal(expected.GetValues<long>().ToArray(), actual.GetMemory<long>(0).ToArray());
                break;
            case TensorElementType.Bool:
                Assert.Equal(expected.GetValues<bool>().ToArray(), actual.GetMemory<bool>(0).ToArray());
                break;
            default:
                Assert.Equal(expected.GetValues<string>().ToArray(), actual.GetStrings(0).ToArray());
                break;
        }
    }

    private static Gen<Tensor> Values(TensorElementType type, int length, long[] shape) => type switch
    {
        TensorElementType.Float32 => Gen.Float.Where(float.IsFinite).Array[length].Select(v => Tensor.Create(v, shape)),
        TensorElementType.Float64 => Gen.Double.Where(double.IsFinite).Array[length].Select(v => Tensor.Create(v, shape)),
        TensorElementType.Int32 => Gen.Int.Array[length].Select(v => Tensor.Create(v, shape)),
        TensorElementType.Int64 => Gen.Long.Array[length].Select(v => Tensor.Create(v, shape)),
        TensorElementType.Bool => Gen.Bool.Array[length].Select(v => Tensor.Create(v, shape)),
        _ => Gen.String.Array[length].Select(v => Tensor.Create(v, shape)),
    };
}
