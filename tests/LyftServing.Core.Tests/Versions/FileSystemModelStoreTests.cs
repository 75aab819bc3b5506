using LyftServing.Tests.TestModels;

namespace LyftServing.Tests.Versions;

public sealed class FileSystemModelStoreTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task ListVersionsAsync_SkipsHiddenEntries_ReportsOthers()
    {
        _store.AddVersion("m", "1", weight: 1);
        _store.AddVersion("m", "Bad Name", weight: 1);
        Directory.CreateDirectory(Path.Combine(_store.Root, "m", ".staging"));
        var store = new FileSystemModelStore(_store.Root);

        var versions = await store.ListVersionsAsync("m", default);

        Assert.Equal(["1", "Bad Name"], versions.Select(v => v.Version).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListVersionsAsync_FileChanges_MovesLastModified()
    {
        var directory = _store.AddVersion("m", "1", weight: 1);
        var store = new FileSystemModelStore(_store.Root);
        File.SetLastWriteTimeUtc(Path.Combine(directory, "weight.txt"), new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Directory.SetLastWriteTimeUtc(directory, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var before = (await store.ListVersionsAsync("m", default))[0].LastModified;

        File.SetLastWriteTimeUtc(Path.Combine(directory, "weight.txt"), new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc));

        Assert.True((await store.ListVersionsAsync("m", default))[0].LastModified > before);
    }

    [Fact]
    public async Task GetArtifactAsync_MissingVersion_ThrowsNamingFolder()
    {
        _store.AddVersion("m", "1", weight: 1);
        var store = new FileSystemModelStore(_store.Root);

        var error = await Assert.ThrowsAsync<ModelStoreException>(async () => await store.GetArtifactAsync("m", "2", default));

        Assert.Equal($"Model 'm' has no version '2' in the model store '{_store.Root}' (expected the folder '{Path.Combine(_store.Root, "m", "2")}').", error.Message);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../../etc")]
    [InlineData("/etc")]
    public async Task GetArtifactAsync_NameThatEscapesRoot_Rejected(string version)
    {
        _store.AddVersion("m", "1", weight: 1);
        var store = new FileSystemModelStore(_store.Root);

        await Assert.ThrowsAsync<ArgumentException>(async () => await store.GetArtifactAsync("m", version, default));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.GetArtifactAsync(version, "1", default));
    }

    [Fact]
    public void ListModels_ReturnsValidModelFolders()
    {
        _store.AddVersion("b", "1", weight: 1);
        _store.AddVersion("a", "1", weight: 1);
        Directory.CreateDirectory(Path.Combine(_store.Root, "Not A Model"));

        Assert.Equal(["a", "b"], new FileSystemModelStore(_store.Root).ListModels());
    }
}
