namespace LyftServing.Tests.Loading;

public sealed class ModelArtifactTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task FromDirectoryAsync_ReadsFilesManifestAndHash()
    {
        var directory = _store.AddFiles("m", "1", new Dictionary<string, string>
        {
            ["model.json"] = """{"runtime": "onnx", "description": "first", "properties": {"threshold": 0.5}}""",
            ["weights.bin"] = "abc",
        });
        Directory.CreateDirectory(Path.Combine(directory, "sub"));
        File.WriteAllText(Path.Combine(directory, "sub", "vocab.txt"), "x");

        var artifact = await ModelArtifact.FromDirectoryAsync("m", "1", directory);

        Assert.Equal(["model.json", "sub/vocab.txt", "weights.bin"], artifact.Files);
        Assert.Equal("onnx", artifact.Manifest.Runtime);
        Assert.Equal("first", artifact.Manifest.Description);
        Assert.Equal(0.5, artifact.Manifest.Properties["threshold"].GetDouble());
        Assert.Matches("^sha256:[0-9a-f]{64}$", artifact.ContentHash);
        Assert.Equal(Path.Combine(directory, "sub", "vocab.txt"), artifact.GetPath("sub/vocab.txt"));
    }

    [Fact]
    public async Task ContentHash_SameContent_SameHash_ChangedContent_DifferentHash()
    {
        var a = _store.AddFiles("m", "1", new Dictionary<string, string> { ["w.txt"] = "1" });
        var b = _store.AddFiles("m", "2", new Dictionary<string, string> { ["w.txt"] = "1" });
        var c = _store.AddFiles("m", "3", new Dictionary<string, string> { ["w.txt"] = "2" });
        var d = _store.AddFiles("m", "4", new Dictionary<string, string> { ["v.txt"] = "1" });

        var hashes = await Task.WhenAll(new[] { a, b, c, d }.Select(async (dir, i) => (await ModelArtifact.FromDirectoryAsync("m", $"{i + 1}", dir)).ContentHash));

        Assert.Equal(hashes[0], hashes[1]);
        Assert.NotEqual(hashes[0], hashes[2]);
        Assert.NotEqual(hashes[0], hashes[3]);
    }

    [Fact]
    public async Task FromDirectoryAsync_ManifestWithUnknownKey_ThrowsNamingIt()
    {
        var directory = _store.AddFiles("m", "1", new Dictionary<string, string> { ["model.json"] = """{"runtim": "onnx"}""" });

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await ModelArtifact.FromDirectoryAsync("m", "1", directory));

        Assert.StartsWith("model.json is not a valid manifest at '$.runtim'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../other/file")]
    [InlineData("/etc/passwd")]
    public async Task GetPath_PathOutsideVersion_Throws(string path)
    {
        var directory = _store.AddFiles("m", "1", new Dictionary<string, string> { ["w.txt"] = "1" });
        var artifact = await ModelArtifact.FromDirectoryAsync("m", "1", directory);

        Assert.Throws<ArgumentException>(() => artifact.GetPath(path));
    }

    [Fact]
    public async Task GetSingleFile_NoneOrSeveral_ThrowsClearly()
    {
        var directory = _store.AddFiles("m", "1", new Dictionary<string, string> { ["a.onnx"] = "1", ["b.onnx"] = "2" });
        var artifact = await ModelArtifact.FromDirectoryAsync("m", "1", directory);

        Assert.Equal("Model 'm' version '1' has more than one '.onnx' file ('a.onnx', 'b.onnx'); keep exactly one.", Assert.Throws<FileNotFoundException>(() => artifact.GetSingleFile(".onnx")).Message);
        Assert.StartsWith("Model 'm' version '1' has no '.pt' file", Assert.Throws<FileNotFoundException>(() => artifact.GetSingleFile(".pt")).Message, StringComparison.Ordinal);
    }
}
