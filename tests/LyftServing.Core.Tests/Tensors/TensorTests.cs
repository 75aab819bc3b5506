using System.Text.Json;

namespace LyftServing.Tests.TensorKit;

public sealed class TensorTests
{
    [Fact]
    public void Create_ShapeDoesNotFitValues_ThrowsNamingBoth()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Create(new float[] { 1, 2, 3 }, 2, 2));

        Assert.StartsWith("The shape [2,2] holds 4 values, but 3 were given.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_UnsupportedElementType_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Create(new byte[] { 1 }));

        Assert.StartsWith("Tensors of Byte are not supported; use float, double, int, long, bool or string.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NoShape_IsScalar()
    {
        var tensor = Tensor.Create(new[] { 2.5 });

        Assert.Equal(0, tensor.Rank);
        Assert.Equal("2.5", JsonSerializer.Serialize(tensor));
        Assert.Equal("float64[]", tensor.ToString());
    }

    [Fact]
    public void GetValues_WrongType_ThrowsNamingTheRightOne()
    {
        var tensor = Tensor.Create(new long[] { 1 }, 1);

        var error = Assert.Throws<InvalidOperationException>(() => tensor.GetValues<float>().Length);

        Assert.Equal("The tensor holds int64 values; read them with GetValues<Int64>(), not GetValues<Single>().", error.Message);
    }

    [Theory]
    [InlineData("[[1,2],[3,4]]", TensorElementType.Int64, "[2,2]")]
    [InlineData("[[1.5,2],[3,4]]", TensorElementType.Float32, "[2,2]")]
    [InlineData("[[0.1,2],[3,4]]", TensorElementType.Float64, "[2,2]")]
    [InlineData("[\"a\",\"b\"]", TensorElementType.String, "[2]")]
    [InlineData("[[true],[false]]", TensorElementType.Bool, "[2,1]")]
    [InlineData("7", TensorElementType.Int64, "[]")]
    [InlineData("[[],[]]", TensorElementType.Float32, "[2,0]")]
    public void Deserialize_NestedArrays_InfersTypeAndShape(string json, TensorElementType elementType, string shape)
    {
        var tensor = JsonSerializer.Deserialize<Tensor>(json)!;

        Assert.Equal(elementType, tensor.ElementType);
        Assert.Equal(shape, "[" + string.Join(",", tensor.Shape.ToArray()) + "]");
        Assert.Equal(json.Replace("1.5,2", "1.5,2", StringComparison.Ordinal), JsonSerializer.Serialize(tensor).Replace(".0", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Deserialize_Tensors_RoundTripsNamesAndValues()
    {
        const string json = """{"x":[[0.5,1.25]],"category":[[3]],"label":["a"]}""";

        var tensors = JsonSerializer.Deserialize<Tensors>(json)!;

        Assert.Equal(["x", "category", "label"], tensors.Keys);
        Assert.Equal(json, JsonSerializer.Serialize(tensors));
    }

    [Fact]
    public void Deserialize_DuplicateName_Throws()
    {
        var error = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Tensors>("""{"x": [1], "x": [2]}"""));

        Assert.Equal("'$.x' appears more than once: send each input once.", error.Message);
        Assert.Equal("$.x", error.Path);
    }
}
