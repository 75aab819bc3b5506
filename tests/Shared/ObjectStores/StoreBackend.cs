using LyftServing.Internal;

namespace LyftServing.Tests.ObjectStores;

/// <summary>
/// One object store under test (S3 in s3rver, Azure Blob in azurite): its emulator, started once
/// for a test class, and how to make stores, raw object access and configuration for it. Each test
/// uses a prefix of its own, so tests share the emulator without seeing each other's models.
/// </summary>
public abstract class StoreBackend : IAsyncLifetime
{
    internal Emulator Emulator { get; private set; } = null!;

    /// <summary>Gets the store's URI scheme, such as <c>s3</c>.</summary>
    public abstract string Scheme { get; }

    internal abstract Emulator CreateEmulator();

    /// <summary>A store over the emulator, or over <paramref name="port"/> (a proxy in front of it).</summary>
    internal abstract IModelStore CreateStore(Uri location, string cacheDirectory, long cacheSizeLimit = 1L << 30, int? port = null);

    /// <summary>Raw access to the store's objects, to upload what no publisher would (a version without its manifest, a corrupted file).</summary>
    internal abstract IObjectStorage CreateStorage(Uri location, int? port = null);

    internal abstract VersionCache CacheOf(IModelStore store);

    /// <summary>The store the host's registration creates for a location, from the host's services (its settings, logger and clock).</summary>
    internal abstract IModelStore CreateStoreAsTheHostDoes(IServiceProvider services, Uri location);

    internal abstract Task<ModelManifest> PublishAsync(IModelStore store, string model, string version, string directory);

    /// <summary>Registers the store kind (<c>AddS3ModelStore()</c>, <c>AddAzureBlobModelStore()</c>).</summary>
    internal abstract void AddStoreKind(IModelServingBuilder builder);

    /// <summary>The <c>ModelServing</c> configuration keys that point a host at the store, as an operator writes them.</summary>
    internal abstract IReadOnlyDictionary<string, string?> Configuration(Uri location, string cacheDirectory);

    /// <summary>The options of <c>lyftserving publish</c> that reach the emulator (credentials in the environment where the store's SDK reads them).</summary>
    internal abstract string[] PublishToolArguments();

    /// <summary>A location of its own for one test: <c>{scheme}://{container}/{unique prefix}</c>.</summary>
    public abstract Uri NewLocation();

    public async Task InitializeAsync()
    {
        Emulator = CreateEmulator();
        await Emulator.StartAsync();
    }

    public async Task DisposeAsync() => await Emulator.DisposeAsync();
}
