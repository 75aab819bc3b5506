using System.Globalization;
using System.Text;
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
        await store.TryWriteDecisionAsync("m", "{}"u8.ToArray(), expectedStamp: null, default);

        var versions = await store.ListVersionsAsync("m", default);

        Assert.Equal(["1", "Bad Name"], versions.Select(v => v.Version).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListVersionsAsync_EntryAddedToVersion_ChangesItsStampOnly()
    {
        var one = _store.AddVersion("m", "1", weight: 1);
        _store.AddVersion("m", "2", weight: 2);
        var store = new FileSystemModelStore(_store.Root);
        Directory.SetLastWriteTimeUtc(one, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var before = (await store.ListVersionsAsync("m", default)).ToDictionary(v => v.Version, v => v.ChangeStamp);

        File.WriteAllText(Path.Combine(one, "late.txt"), "a copy still in progress");

        var after = (await store.ListVersionsAsync("m", default)).ToDictionary(v => v.Version, v => v.ChangeStamp);
        Assert.NotEqual(before["1"], after["1"]);
        Assert.Equal(before["2"], after["2"]);
    }

    [Fact]
    public async Task ListVersionsAsync_ManifestWrittenLast_ChangesTheStamp()
    {
        var one = _store.AddVersion("m", "1", weight: 1, manifest: """{"runtime": "linear"}""");
        var store = new FileSystemModelStore(_store.Root);
        var before = (await store.ListVersionsAsync("m", default))[0].ChangeStamp;

        File.WriteAllText(Path.Combine(one, ModelArtifact.ManifestFileName), """{"runtime": "linear", "description": "final"}""");

        Assert.NotEqual(before, (await store.ListVersionsAsync("m", default))[0].ChangeStamp);
    }

    [Fact]
    public async Task GetArtifactAsync_MissingVersion_ThrowsNamingFolder()
    {
        _store.AddVersion("m", "1", weight: 1);
        var store = new FileSystemModelStore(_store.Root);

        var error = await Assert.ThrowsAsync<ModelStoreException>(async () => await store.GetArtifactAsync("m", "2", default));

        Assert.Equal($"Model 'm' has no version '2' in the model store '{_store.Root}' (expected the folder '{Path.Combine(_store.Root, "m", "2")}').", error.Message);
        Assert.Equal(("m", "2"), (error.ModelName, error.Version));
        Assert.IsAssignableFrom<ModelServingException>(error);
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
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.ReadDecisionAsync(version, default));
    }

    [Fact]
    public async Task ListModelsAsync_ReturnsValidModelFolders()
    {
        _store.AddVersion("b", "1", weight: 1);
        _store.AddVersion("a", "1", weight: 1);
        Directory.CreateDirectory(Path.Combine(_store.Root, "Not A Model"));

        var models = await new FileSystemModelStore(_store.Root).ListModelsAsync(default);

        Assert.Equal(["a", "b"], models.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReadDecisionAsync_NoneWritten_ReturnsNull()
    {
        _store.AddVersion("m", "1", weight: 1);

        Assert.Null(await new FileSystemModelStore(_store.Root).ReadDecisionAsync("m", default));
    }

    [Fact]
    public async Task TryWriteDecisionAsync_StaleStamp_RefusesAndKeepsTheOtherWritersRecord()
    {
        _store.AddVersion("m", "1", weight: 1);
        var replicaA = new FileSystemModelStore(_store.Root);
        var replicaB = new FileSystemModelStore(_store.Root);

        Assert.True(await replicaA.TryWriteDecisionAsync("m", "a1"u8.ToArray(), expectedStamp: null, default));
        var seenByB = await replicaB.ReadDecisionAsync("m", default);
        Assert.True(await replicaA.TryWriteDecisionAsync("m", "a2"u8.ToArray(), seenByB!.Stamp, default));
        var refused = await replicaB.TryWriteDecisionAsync("m", "b"u8.ToArray(), seenByB.Stamp, default);

        Assert.False(refused);
        Assert.False(await replicaB.TryWriteDecisionAsync("m", "b"u8.ToArray(), expectedStamp: null, default));
        Assert.Equal("a2", Encoding.UTF8.GetString((await replicaB.ReadDecisionAsync("m", default))!.Content.Span));
    }

    [Fact]
    public async Task TryWriteDecisionAsync_ManyConcurrentWriters_NoIncrementIsLost()
    {
        // Each writer reads the counter, adds one and writes it back with the stamp it read,
        // retrying when refused: with compare-and-swap, the final count is every increment.
        _store.AddVersion("m", "1", weight: 1);
        const int Writers = 6;
        const int Increments = 15;

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            var store = new FileSystemModelStore(_store.Root);
            for (var i = 0; i < Increments; i++)
            {
                while (true)
                {
                    var current = await store.ReadDecisionAsync("m", default);
                    var count = current is null ? 0 : int.Parse(Encoding.UTF8.GetString(current.Content.Span), CultureInfo.InvariantCulture);
                    if (await store.TryWriteDecisionAsync("m", Encoding.UTF8.GetBytes((count + 1).ToString(CultureInfo.InvariantCulture)), current?.Stamp, default))
                    {
                        break;
                    }
                }
            }
        })));

        var final = await new FileSystemModelStore(_store.Root).ReadDecisionAsync("m", default);
        Assert.Equal(Writers * Increments, int.Parse(Encoding.UTF8.GetString(final!.Content.Span), CultureInfo.InvariantCulture));
    }
}
