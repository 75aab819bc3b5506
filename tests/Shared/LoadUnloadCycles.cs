using System.Diagnostics;
using Xunit.Abstractions;

namespace LyftServing.Tests.Shared;

/// <summary>The resident-memory bound of load/unload cycles, for the adapters' version-lifetime tests. Linked into the ONNX Runtime and TorchSharp tests (with <see cref="ResidentMemory"/>).</summary>
internal static class LoadUnloadCycles
{
    /// <summary>
    /// Runs <paramref name="cycle"/> (load a version, predict on it, unload it) 20 times to warm up,
    /// then 200 more, and asserts the resident set grew by less than <paramref name="boundBytes"/> over those 200.
    /// </summary>
    public static async Task AssertResidentGrowthBelowAsync(Func<Task> cycle, long boundBytes, ITestOutputHelper output)
    {
        for (var i = 0; i < 20; i++)
        {
            await cycle();
        }

        var before = ResidentMemory.Bytes();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 200; i++)
        {
            await cycle();
        }

        var after = ResidentMemory.Bytes();
        var growth = after - before;
        output.WriteLine($"RSS after 20 warm-up cycles: {before / 1048576.0:F1} MiB; after 200 more load/unload cycles: {after / 1048576.0:F1} MiB; growth {growth / 1048576.0:F2} MiB ({watch.Elapsed.TotalSeconds:F1} s)");
        Assert.True(growth < boundBytes, $"RSS grew by {growth / 1048576.0:F1} MiB over 200 cycles (bound {boundBytes / 1048576} MiB)");
    }
}
