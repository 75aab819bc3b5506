using LyftServing.LightGbm.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace LyftServing.LightGbm.Tests.Memory;

/// <summary>
/// Resident memory over 200 load/unload cycles of a LightGBM version through the host: each cycle
/// loads version 2 beside the serving version 1, scores with it, and unloads it (drain, dispose,
/// booster freed). A leaked booster of the multiclass fixture (90 trees) costs far more than the bound
/// over 200 cycles; the figure measured here is in the package README.
/// </summary>
[Collection(MemoryMeasurementsDefinition.Name)]
public sealed class LoadUnloadMemoryTests(ITestOutputHelper output) : IDisposable
{
    private const int Cycles = 200;

    // Resident growth allowed over the 200 cycles, after 100 warm-up cycles: the process's memory
    // (GC heap, the C allocator's arenas) grows over the first few hundred cycles and then stays flat
    // (measured: +30 MiB by cycle 300, then flat to cycle 1500).
    private const long BoundBytes = 16 * 1024 * 1024;

    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task LoadAndUnload_200Cycles_ResidentMemoryStaysWithinTheBound()
    {
        _store.AddVersion("trip", "1", "trip_class", runtime: false, testData: false);
        _store.AddVersion("trip", "2", "trip_class", runtime: false, testData: false);
        using var host = await TestHost.StartAsync(b => b.AddLightGbmModel<Trip, TripLength>("trip", Trip.Write, TripLength.Read, m => m.FromStore(_store.Root).PinVersion("1")));
        var manager = host.Services.GetRequiredService<IModelManager>();
        Assert.True(host.Services.GetRequiredService<IModelProvider>().TryGetJsonClient("trip", out var client));
        var trip = System.Text.Json.JsonSerializer.SerializeToElement(Trip.FromRow(Fixtures.Rows("trip_class")[0].Row));

        async Task CycleAsync()
        {
            await manager.LoadVersionAsync("trip", "2");
            await client!.PredictAsync(trip, "2");
            await manager.UnloadVersionAsync("trip", "2");
        }

        for (var i = 0; i < 100; i++)
        {
            await CycleAsync();
        }

        var before = Resident();
        var peak = before;
        for (var i = 0; i < Cycles; i++)
        {
            await CycleAsync();
            peak = Math.Max(peak, i % 20 == 0 ? Resident() : 0);

        }

        var after = Resident();
        output.WriteLine($"resident before {before / 1024} KiB, after {Cycles} cycles {after / 1024} KiB (growth {(after - before) / 1024} KiB), peak {peak / 1024} KiB");
        Assert.True(after - before < BoundBytes, $"resident memory grew by {(after - before) / 1024} KiB over {Cycles} load/unload cycles (bound {BoundBytes / 1024} KiB)");
        Assert.Equal("1", manager.GetStatus("trip").PrimaryVersion);
        await host.StopAsync();
    }

    [Fact]
    public async Task LoadWithoutFreeing_200Boosters_GrowsPastTheBound()
    {
        // The control: the same boosters, never freed, so the bound above would catch a leak.
        var loaded = new List<LyftServing.LightGbm.Internal.LightGbmTensorModel>();
        var before = Resident();
        for (var i = 0; i < Cycles; i++)
        {
            loaded.Add(await LightGbmHost.LoadTensorModelAsync("trip_class"));
        }

        var after = Resident();
        output.WriteLine($"resident grew by {(after - before) / 1024} KiB for {Cycles} boosters never freed");
        Assert.True(after - before > BoundBytes, $"{Cycles} leaked boosters grew resident memory by only {(after - before) / 1024} KiB");
        loaded.ForEach(m => m.Dispose());
    }

    /// <summary>Resident memory outside the .NET heap (boosters live in the C allocator's memory).</summary>
    private static long Resident() => LyftServing.Tests.Shared.ResidentMemory.NativeBytes();
}

/// <summary>Memory measurements run alone: other tests running beside them would move the process's resident memory.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementsDefinition
{
    public const string Name = "Memory measurements";
}
