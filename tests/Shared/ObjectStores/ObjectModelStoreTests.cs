using System.Text;
using LyftServing.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LyftServing.Tests.ObjectStores;

/// <summary>
/// What an object-store model store must do, run against each store in its emulator: atomic
/// publish by manifest, the verified cache (hash mismatch, cut downloads, restart reuse, eviction),
/// durable decisions, and a host that keeps serving while the store is away.
/// </summary>
public abstract class ObjectModelStoreTests<TBackend>(TBackend backend) : IClassFixture<TBackend>, IDisposable
    where TBackend : StoreBackend
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(10);
    private readonly List<string> _folders = [];

    public void Dispose()
    {
        foreach (var folder in _folders)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Publish_Version_ListedByItsManifestAndVerifiedBySha256()
    {
        var location = backend.NewLocation();
        var store = backend.CreateStore(location, NewFolder());
        var manifest = await backend.PublishAsync(store, "words", "1", Version("alpha", bigBytes: 1000));

        Assert.Equal(["big.bin", "words.txt"], manifest.Files!.Select(f => f.Path));
        var listed = Assert.Single(await store.ListVersionsAsync("words", default));
        Assert.Equal("1", listed.Version);
        Assert.Equal(["words"], await store.ListModelsAsync(default));

        var artifact = await store.GetArtifactAsync("words", "1", default);
        Assert.Equal(["big.bin", "model.json", "words.txt"], artifact.Files);
        Assert.Equal("alpha", File.ReadAllLines(artifact.GetPath("words.txt"))[0]);
        Assert.Equal(manifest.Files!.Select(f => f.Sha256), artifact.Manifest.Files!.Select(f => f.Sha256));
        await Assert.ThrowsAsync<InvalidOperationException>(() => backend.PublishAsync(store, "words", "1", Version("beta")));
    }

    [Fact]
    public async Task PublishTool_Folder_UploadsFilesThenManifestAndRefusesToOverwrite()
    {
        var location = backend.NewLocation();
        var folder = Version("alpha", bigBytes: 5000);
        File.WriteAllText(Path.Combine(folder, "model.json"), "{\"description\": \"words v1\"}");
        string[] args = ["publish", folder, "--store", location.ToString(), "--model", "words", "--version", "1", .. backend.PublishToolArguments()];

        var (exit, output, error) = await RunToolAsync(args);
        Assert.True(exit == 0, error);
        Assert.Contains("Published model 'words' version '1'", output, StringComparison.Ordinal);

        var store = backend.CreateStore(location, NewFolder());
        var artifact = await store.GetArtifactAsync("words", "1", default);
        Assert.Equal("words v1", artifact.Manifest.Description);
        Assert.Equal(["big.bin", "words.txt"], artifact.Manifest.Files!.Select(f => f.Path));
        Assert.Equal(5000, artifact.Manifest.Files![0].Size);

        (exit, _, error) = await RunToolAsync(args);
        Assert.Equal(1, exit);
        Assert.Contains("immutable", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListVersions_VersionUploadedWithoutManifest_NeverListedNorLoaded()
    {
        var location = backend.NewLocation();
        var store = backend.CreateStore(location, NewFolder());
        await backend.PublishAsync(store, "words", "1", Version("alpha"));
        var raw = backend.CreateStorage(location);
        await Upload(raw, PrefixOf(location) + "words/2/words.txt", "beta\n");

        Assert.Equal(["1"], (await store.ListVersionsAsync("words", default)).Select(v => v.Version));
        var error = await Assert.ThrowsAsync<ModelStoreException>(async () => await store.GetArtifactAsync("words", "2", default));
        Assert.Contains("has no model.json", error.Message, StringComparison.Ordinal);

        await using var host = await StartHostAsync(store);
        Assert.Equal("1", host.Manager.GetStatus("words").PrimaryVersion);
        host.TimeProvider.Advance(Poll);
        await host.Manager.RefreshAsync("words");
        Assert.Equal("1", host.Manager.GetStatus("words").PrimaryVersion);
        Assert.DoesNotContain(host.Manager.GetStatus("words").Versions, v => v.Version == "2");
    }

    [Fact]
    public async Task GetArtifact_FileCorruptedInStoreAfterPublish_NeverLoadedAndReported()
    {
        var location = backend.NewLocation();
        var cache = NewFolder();
        var store = backend.CreateStore(location, cache);
        await backend.PublishAsync(store, "words", "1", Version("alpha"));
        await backend.PublishAsync(store, "words", "2", Version("beta"));
        await Upload(backend.CreateStorage(location), PrefixOf(location) + "words/2/words.txt", "evil\nmore\n");

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await store.GetArtifactAsync("words", "2", default));
        Assert.Contains("does not match model.json: its SHA-256", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(cache, "words", "2")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(cache, ".partial")));

        // A replica starts on the newest version that verifies, and reports the one that does not.
        await using var host = await StartHostAsync(backend.CreateStore(location, NewFolder()));
        var status = host.Manager.GetStatus("words");
        Assert.Equal("1", status.PrimaryVersion);
        var failed = Assert.Single(status.Versions, v => v.Version == "2");
        Assert.Equal(ModelVersionState.Failed, failed.State);
        Assert.Contains("SHA-256", failed.Error!.Message, StringComparison.Ordinal);
        Assert.Equal("alpha:x", await host.GetClient<string, string>("words").PredictAsync("x"));
    }

    [Fact]
    public async Task GetArtifact_DownloadCutHalfWay_RetriedAndOnlyTheWholeFileLoads()
    {
        var location = backend.NewLocation();
        await backend.PublishAsync(backend.CreateStore(location, NewFolder()), "words", "1", Version("alpha", bigBytes: 2 << 20));
        await using var proxy = new CuttingProxy(backend.Emulator.Port);
        var cache = NewFolder();
        var store = backend.CreateStore(location, cache, port: proxy.Port);

        proxy.CutNext(1, afterBytes: 1 << 20);
        var artifact = await store.GetArtifactAsync("words", "1", default);

        Assert.Equal(1, proxy.Cuts);
        Assert.Equal(2 << 20, new FileInfo(artifact.GetPath("big.bin")).Length);
        Assert.Equal(Pattern(2 << 20), File.ReadAllBytes(artifact.GetPath("big.bin")));
    }

    [Fact]
    public async Task GetArtifact_DownloadFailsOnce_RetriedAfterItsDelayOnTheStoresClock()
    {
        var location = backend.NewLocation();
        await backend.PublishAsync(backend.CreateStore(location, NewFolder()), "words", "1", Version("alpha", bigBytes: 4096));
        var storage = new FailingFirstDownload(backend.CreateStorage(location));
        var clock = new TimerWatchingTimeProvider();
        var store = new Internal.ObjectModelStore(storage, PrefixOf(location), NewFolder(), 1L << 30, NullLogger.Instance);
        store.Cache.TimeProvider = clock;

        var fetch = store.GetArtifactAsync("words", "1", default).AsTask();

        // The retry waits on the store's clock: nothing happens until it moves by the delay.
        Assert.Equal(Internal.VersionCache.RetryDelay(1), await clock.TimerCreated.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(fetch.IsCompleted);
        Assert.Equal(1, storage.Downloads);
        clock.Advance(Internal.VersionCache.RetryDelay(1));
        var artifact = await fetch.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Pattern(4096), File.ReadAllBytes(artifact.GetPath("big.bin")));
        Assert.True(storage.Downloads >= 3, $"{storage.Downloads} downloads");
    }

    [Fact]
    public async Task Registration_StoreFromTheHostsServices_RetriesOnTheHostsClock()
    {
        var location = backend.NewLocation();
        await backend.PublishAsync(backend.CreateStore(location, NewFolder()), "words", "1", Version("alpha"));
        var options = new ModelTestHostOptions();
        foreach (var (key, value) in backend.Configuration(location, NewFolder()))
        {
            options.Configuration[key] = value;
        }

        await using var host = await ModelTestHost.StartNewAsync(
            b => backend.AddStoreKind(b.Services.AddModelServing(b.Configuration.GetSection("ModelServing")).AddModel<WordsModel, string, string>("words")),
            options);
        var store = backend.CreateStoreAsTheHostDoes(host.Services, location);
        try
        {
            Assert.Same(host.TimeProvider, backend.CacheOf(store).TimeProvider);
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public async Task GetArtifact_DownloadCutEveryTime_NeverLoadedThenRetriedAtTheNextPoll()
    {
        var location = backend.NewLocation();
        var publisher = backend.CreateStore(location, NewFolder());
        await backend.PublishAsync(publisher, "words", "1", Version("alpha"));
        await using var proxy = new CuttingProxy(backend.Emulator.Port);
        var cache = NewFolder();
        var store = backend.CreateStore(location, cache, port: proxy.Port);
        await using var host = await StartHostAsync(store);
        await backend.PublishAsync(publisher, "words", "2", Version("beta", bigBytes: 2 << 20));

        // Cut every 64 KB: the Azure SDK resumes a cut download with a range request, a few times.
        proxy.CutNext(1000, afterBytes: 1 << 16);
        host.TimeProvider.Advance(Poll);
        await host.Manager.RefreshAsync("words");

        var status = host.Manager.GetStatus("words");
        Assert.Equal("1", status.PrimaryVersion);
        var error = Assert.Single(status.Versions, v => v.Version == "2").Error!.Message;
        Assert.True(error.Contains("could not be downloaded", StringComparison.Ordinal), error);
        Assert.True(proxy.Cuts >= 2);
        Assert.False(Directory.Exists(Path.Combine(cache, "words", "2")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(cache, ".partial")));

        // The network heals: the same version is tried again at the next poll (not blocked as broken).
        proxy.CutNext(0, long.MaxValue);
        host.TimeProvider.Advance(Poll);
        await host.Manager.RefreshAsync("words");
        await host.WaitForPrimaryAsync("words", "2");
        Assert.Equal("beta:x", await host.GetClient<string, string>("words").PredictAsync("x"));
    }

    [Fact]
    public async Task GetArtifact_AfterRestart_ReusesTheVerifiedCacheWithoutDownloading()
    {
        var location = backend.NewLocation();
        var cache = NewFolder();
        var first = backend.CreateStore(location, cache);
        await backend.PublishAsync(first, "words", "1", Version("alpha", bigBytes: 4096));
        var before = await first.GetArtifactAsync("words", "1", default);
        Assert.Equal(2, backend.CacheOf(first).FilesDownloaded);

        var restarted = backend.CreateStore(location, cache);
        var after = await restarted.GetArtifactAsync("words", "1", default);
        Assert.Equal(0, backend.CacheOf(restarted).FilesDownloaded);
        Assert.Equal(before.ContentHash, after.ContentHash);

        // A cached copy changed on disk is not trusted: downloaded again.
        File.WriteAllText(after.GetPath("words.txt"), "tampered\n");
        var third = backend.CreateStore(location, cache);
        var again = await third.GetArtifactAsync("words", "1", default);
        Assert.Equal(2, backend.CacheOf(third).FilesDownloaded);
        Assert.Equal(before.ContentHash, again.ContentHash);
    }

    [Fact]
    public async Task Cache_OverItsLimit_EvictsReleasedVersionsNeverOnesInUse()
    {
        var location = backend.NewLocation();
        var cache = NewFolder();
        var store = backend.CreateStore(location, cache, cacheSizeLimit: 150_000);
        foreach (var version in new[] { "1", "2", "3" })
        {
            await backend.PublishAsync(store, "words", version, Version("v" + version, bigBytes: 100_000));
        }

        await store.GetArtifactAsync("words", "1", default);
        await store.GetArtifactAsync("words", "2", default);

        // Both in use: over the limit, nothing evicted.
        Assert.True(Directory.Exists(Path.Combine(cache, "words", "1")));
        store.ReleaseArtifact("words", "1");
        Assert.False(Directory.Exists(Path.Combine(cache, "words", "1")));
        Assert.True(Directory.Exists(Path.Combine(cache, "words", "2")));

        store.ReleaseArtifact("words", "2");
        await store.GetArtifactAsync("words", "3", default);
        Assert.False(Directory.Exists(Path.Combine(cache, "words", "2")));
        Assert.True(backend.CacheOf(store).Size <= 150_000);
    }

    [Fact]
    public async Task Cache_ConcurrentGetsAndReleasesOverItsLimit_NeverEvictsAVersionInUse()
    {
        var location = backend.NewLocation();
        var store = backend.CreateStore(location, NewFolder(), cacheSizeLimit: 120_000);
        foreach (var version in new[] { "1", "2", "3" })
        {
            await backend.PublishAsync(store, "words", version, Version("v" + version, bigBytes: 100_000));
        }

        // Each worker holds a version while it reads it; the limit fits one version, so every
        // release evicts, racing the other workers' downloads and reuses.
        await Parallel.ForEachAsync(Enumerable.Range(0, 24), new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (i, ct) =>
        {
            var version = ((i % 3) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var artifact = await store.GetArtifactAsync("words", version, ct);
            try
            {
                Assert.Equal("v" + version, (await File.ReadAllLinesAsync(artifact.GetPath("words.txt"), ct))[0]);
                Assert.Equal(100_000, (await File.ReadAllBytesAsync(artifact.GetPath("big.bin"), ct)).Length);
            }
            finally
            {
                store.ReleaseArtifact("words", version);
            }
        });

        Assert.True(backend.CacheOf(store).Size <= 120_000);
    }

    [Fact]
    public async Task TryWriteDecision_StaleStamp_RefusedSoEveryReplicaSeesOneDecision()
    {
        var store = backend.CreateStore(backend.NewLocation(), NewFolder());
        Assert.Null(await store.ReadDecisionAsync("words", default));
        Assert.True(await store.TryWriteDecisionAsync("words", "{\"primary\":\"1\"}"u8.ToArray(), null, default));
        Assert.False(await store.TryWriteDecisionAsync("words", "{\"primary\":\"2\"}"u8.ToArray(), null, default));

        var first = await store.ReadDecisionAsync("words", default);
        Assert.True(await store.TryWriteDecisionAsync("words", "{\"primary\":\"3\"}"u8.ToArray(), first!.Stamp, default));
        Assert.False(await store.TryWriteDecisionAsync("words", "{\"primary\":\"4\"}"u8.ToArray(), first.Stamp, default));
        Assert.Equal("{\"primary\":\"3\"}", Encoding.UTF8.GetString((await store.ReadDecisionAsync("words", default))!.Content.Span));
    }

    [Fact]
    public async Task Host_RollbackOnOneReplica_EveryReplicaFollowsAndARestartKeepsIt()
    {
        var location = backend.NewLocation();
        var publisher = backend.CreateStore(location, NewFolder());
        await backend.PublishAsync(publisher, "words", "1", Version("alpha"));
        await using var a = await StartHostAsync(backend.CreateStore(location, NewFolder()));
        await using var b = await StartHostAsync(backend.CreateStore(location, NewFolder()));
        await backend.PublishAsync(publisher, "words", "2", Version("beta"));
        foreach (var replica in new[] { a, b })
        {
            replica.TimeProvider.Advance(Poll);
            await replica.Manager.RefreshAsync("words");
            await replica.WaitForPrimaryAsync("words", "2");
        }

        Assert.Equal("1", await a.Manager.RollBackAsync("words"));
        b.TimeProvider.Advance(Poll);
        await b.Manager.RefreshAsync("words");
        await b.WaitForPrimaryAsync("words", "1");
        Assert.Equal("rollback", b.Manager.GetStatus("words").Decision!.Reason);

        await using var restarted = await StartHostAsync(backend.CreateStore(location, NewFolder()));
        Assert.Equal("1", restarted.Manager.GetStatus("words").PrimaryVersion);
    }

    [Fact]
    public async Task Host_StoreDownFor30Seconds_KeepsServingReadyAndStaleThenRecovers()
    {
        var location = backend.NewLocation();
        await using var emulator = backend.CreateEmulator();
        await emulator.StartAsync();
        var store = backend.CreateStore(location, NewFolder(), port: emulator.Port);
        await backend.PublishAsync(store, "words", "1", Version("alpha"));
        await using var host = await StartHostAsync(store, polling: true);
        using var stale = host.CollectMetric<int>("lyftserving.model.store.stale");
        var client = host.GetClient<string, string>("words");
        var health = host.Services.GetRequiredService<HealthCheckService>();

        await emulator.StopAsync();
        var downAt = host.TimeProvider.GetUtcNow();
        await AdvanceUntilAsync(host, () => host.Manager.GetStatus("words").StoreUnreachableSince is not null);

        // 30 s of store outage on the host's clock: polls back off, nothing is unloaded.
        while (host.TimeProvider.GetUtcNow() - downAt < TimeSpan.FromSeconds(30))
        {
            host.TimeProvider.Advance(Poll);
            Assert.Equal("alpha:x", await client.PredictAsync("x"));
        }

        var status = host.Manager.GetStatus("words");
        Assert.Equal("1", status.PrimaryVersion);
        Assert.InRange(status.StoreUnreachableSince!.Value, downAt, host.TimeProvider.GetUtcNow());
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(c => c.Tags.Contains("ready"))).Status);
        stale.RecordObservableInstruments();
        Assert.Equal(1, stale.LastMeasurement!.Value);

        // Back on the same port (azurite may have lost its container with the process: the publisher recreates it).
        await emulator.StartAsync();
        await backend.PublishAsync(backend.CreateStore(location, NewFolder(), port: emulator.Port), "words", "2", Version("beta"));
        await AdvanceUntilAsync(host, () => host.Manager.GetStatus("words") is { StoreUnreachableSince: null, PrimaryVersion: "2" });
        stale.RecordObservableInstruments();
        Assert.Equal(0, stale.LastMeasurement!.Value);
        Assert.Equal("beta:x", await client.PredictAsync("x"));
    }

    [Fact]
    public async Task Host_StoreRootInConfiguration_ServesFromTheStore()
    {
        var location = backend.NewLocation();
        var cache = NewFolder();
        await backend.PublishAsync(backend.CreateStore(location, NewFolder()), "words", "1", Version("alpha"));
        var options = new ModelTestHostOptions();
        foreach (var (key, value) in backend.Configuration(location, cache))
        {
            options.Configuration[key] = value;
        }

        await using var host = await ModelTestHost.StartNewAsync(
            b =>
            {
                var serving = b.Services.AddModelServing(b.Configuration.GetSection("ModelServing")).AddModel<WordsModel, string, string>("words");
                backend.AddStoreKind(serving);
            },
            options);

        Assert.Equal("alpha:x", await host.GetClient<string, string>("words").PredictAsync("x"));
        Assert.True(Directory.Exists(Path.Combine(cache, "words", "1")));
    }

    [Fact]
    public async Task Host_MisspelledStoreSetting_StopsStartNamingTheKey()
    {
        var options = new ModelTestHostOptions();
        foreach (var (key, value) in backend.Configuration(backend.NewLocation(), NewFolder()))
        {
            options.Configuration[key] = value;
        }

        var section = backend.Configuration(backend.NewLocation(), "x").Keys.First(k => k.EndsWith(":CacheDirectory", StringComparison.Ordinal));
        options.Configuration[section.Replace("CacheDirectory", "CacheDirectroy", StringComparison.Ordinal)] = "/tmp";
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ModelTestHost.StartNewAsync(
            b => backend.AddStoreKind(b.Services.AddModelServing(b.Configuration.GetSection("ModelServing")).AddModel<WordsModel, string, string>("words")),
            options));
        Assert.Contains("CacheDirectroy", error.Message, StringComparison.Ordinal);
    }

    private static async Task<ModelTestHost> StartHostAsync(IModelStore store, bool polling = false) =>
        await ModelTestHost.StartNewAsync(b =>
        {
            b.Services.AddHealthChecks().AddModelServingChecks();
            b.Services.AddModelServing()
                .UseModelStore(store)
                .AddModel<WordsModel, string, string>("words", m =>
                {
                    if (polling)
                    {
                        m.WatchForNewVersions(Poll);
                    }
                });
        });

    /// <summary>Advances the host's clock a poll interval at a time until the condition holds (each poll does real I/O with the emulator).</summary>
    private static async Task AdvanceUntilAsync(ModelTestHost host, Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, ModelAssert.Describe(host.Manager.GetStatus("words")));
            host.TimeProvider.Advance(Poll);
            await Task.Delay(50);
        }
    }

    private static async Task<(int Exit, string Output, string Error)> RunToolAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await Tool.Cli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static async Task Upload(Internal.IObjectStorage storage, string key, string content)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(content));
        await storage.UploadAsync(key, stream, default);
    }

    private static string PrefixOf(Uri location) => location.AbsolutePath.Trim('/') + "/";

    private static byte[] Pattern(int bytes) => [.. Enumerable.Range(0, bytes).Select(i => (byte)(i * 31 % 251))];

    private string NewFolder()
    {
        var folder = Directory.CreateTempSubdirectory("lyftserving-store-test-").FullName;
        _folders.Add(folder);
        return folder;
    }

    private string Version(string firstLine, int bigBytes = 0)
    {
        var folder = NewFolder();
        File.WriteAllText(Path.Combine(folder, "words.txt"), firstLine + "\nmore\n");
        if (bigBytes > 0)
        {
            File.WriteAllBytes(Path.Combine(folder, "big.bin"), Pattern(bigBytes));
        }

        return folder;
    }

    /// <summary>A fake clock that reports the due time of the first timer created on it.</summary>
    private sealed class TimerWatchingTimeProvider : FakeTimeProvider
    {
        private readonly TaskCompletionSource<TimeSpan> _timerCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<TimeSpan> TimerCreated => _timerCreated.Task;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _timerCreated.TrySetResult(dueTime);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }

    /// <summary>The store's objects, with the first download failing half-way as a cut connection does.</summary>
    private sealed class FailingFirstDownload(Internal.IObjectStorage inner) : Internal.IObjectStorage
    {
        private int _downloads;

        public int Downloads => Volatile.Read(ref _downloads);

        public string Location => inner.Location;

        public async Task<Internal.StoredObject?> DownloadAsync(string key, Stream destination, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _downloads) == 1)
            {
                await destination.WriteAsync(new byte[100], cancellationToken);
                throw new IOException("The connection was cut (test).");
            }

            return await inner.DownloadAsync(key, destination, cancellationToken);
        }

        public Task<IReadOnlyList<Internal.StoredObject>> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public Task<(byte[] Content, string ETag)?> ReadAsync(string key, CancellationToken cancellationToken) => inner.ReadAsync(key, cancellationToken);

        public Task<bool> TryWriteAsync(string key, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken) => inner.TryWriteAsync(key, content, ifMatch, cancellationToken);

        public Task UploadAsync(string key, Stream content, CancellationToken cancellationToken) => inner.UploadAsync(key, content, cancellationToken);
    }
}
