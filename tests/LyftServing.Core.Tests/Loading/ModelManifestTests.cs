using System.Text;

namespace LyftServing.Tests.Loading;

public sealed class ModelManifestTests
{
    private const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void Parse_FilesListed_ReadsPathsSizesAndHashes()
    {
        var manifest = Parse($$"""{"runtime": "onnx", "files": [{"path": "model.onnx", "size": 1234, "sha256": "{{Sha}}"}, {"path": "sub/vocab.txt", "size": 0, "sha256": "{{Sha}}"}]}""");

        Assert.Equal(["model.onnx", "sub/vocab.txt"], manifest.Files!.Select(f => f.Path));
        Assert.Equal([1234L, 0L], manifest.Files!.Select(f => f.Size));
        Assert.All(manifest.Files!, f => Assert.Equal(Sha, f.Sha256));
    }

    [Fact]
    public void Parse_NoFiles_FilesIsNull() =>
        Assert.Null(Parse("""{"runtime": "onnx"}""").Files);

    [Theory]
    [InlineData("../escape.bin", "is not a relative path inside the version")]
    [InlineData("/etc/passwd", "is not a relative path inside the version")]
    [InlineData("a/./b", "is not a relative path inside the version")]
    [InlineData("a\\\\b", "is not a relative path inside the version")]
    [InlineData("model.json", "is not a relative path inside the version")]
    [InlineData("", "is not a relative path inside the version")]
    public void Parse_FilePathOutsideTheVersion_Rejected(string path, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => Parse($$"""{"files": [{"path": "{{path}}", "size": 1, "sha256": "{{Sha}}"}]}"""));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains("files[0]", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"size\": -1, \"sha256\": \"" + Sha + "\"", "the size must be a number of bytes")]
    [InlineData("\"sha256\": \"" + Sha + "\"", "the size must be a number of bytes")]
    [InlineData("\"size\": 1, \"sha256\": \"ABC\"", "sha256 must be 64 lowercase hex digits")]
    [InlineData("\"size\": 1", "sha256 must be 64 lowercase hex digits")]
    public void Parse_FileWithoutValidSizeOrHash_Rejected(string fields, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => Parse($$"""{"files": [{"path": "w.bin", {{fields}}}]}"""));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private static ModelManifest Parse(string json) => ModelManifest.Parse(Encoding.UTF8.GetBytes(json));
}
