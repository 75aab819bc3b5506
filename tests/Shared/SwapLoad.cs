// The Web SDK (the TorchSharp tests) imports these namespaces implicitly; the other projects that link this file do not.
#pragma warning disable IDE0005
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
#pragma warning restore IDE0005

namespace LyftServing.Tests.Shared;

/// <summary>Hot swaps under load, for the adapters' version-lifetime tests. Linked into the ONNX Runtime and TorchSharp tests.</summary>
internal static class SwapLoad
{
    /// <summary>The number of callers that call in a loop during the swaps.</summary>
    public const int Callers = 8;

    /// <summary>
    /// Runs <see cref="Callers"/> callers in a loop while 24 versions become primary: 12 published
    /// as new folders and picked up by RefreshAsync, then 12 explicit promotions back to earlier
    /// versions (each reloaded, since its earlier load was retired).
    /// </summary>
    /// <returns>The number of calls made, and what each failed call said.</returns>
    public static async Task<(long Calls, List<string> Failures)> RunAsync(IHost host, string model, Func<int, Task<bool>> call, Func<string, Task> publish)
    {
        var manager = host.Services.GetRequiredService<IModelManager>();
        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        long calls = 0;

        // Dedicated threads: calls complete synchronously, so callers on pool threads would spin
        // and starve the pool that the swaps' own continuations need.
        var callers = Enumerable.Range(0, Callers).Select(c => Task.Factory.StartNew(
            () =>
            {
                var i = c;
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        if (!call(i++).GetAwaiter().GetResult())
                        {
                            lock (failures)
                            {
                                failures.Add("wrong output");
                            }
                        }
                    }
                    catch (Exception ex)
                    {
                        lock (failures)
                        {
                            failures.Add($"{ex.GetType().Name}: {ex.Message}");
                        }
                    }

                    Interlocked.Increment(ref calls);
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();

        for (var v = 2; v <= 13; v++)
        {
            var version = v.ToString(CultureInfo.InvariantCulture);
            await publish(version);
            await manager.RefreshAsync(model);
            Assert.Equal(version, manager.GetStatus(model).PrimaryVersion);
        }

        for (var v = 1; v <= 12; v++)
        {
            var version = v.ToString(CultureInfo.InvariantCulture);
            await manager.PromoteAsync(model, version);
            Assert.Equal(version, manager.GetStatus(model).PrimaryVersion);
        }

        await stop.CancelAsync();
        await Task.WhenAll(callers);
        return (Interlocked.Read(ref calls), failures);
    }
}
