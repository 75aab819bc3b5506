using LyftServing.Internal;
using LyftServing.Tests.TestModels;

namespace LyftServing.Tests.Hosting;

/// <summary>
/// The in-flight guard of a loaded version: a version is drained (and may be disposed) only once no
/// call runs on it, whether a call counted itself in with the thread's mark (no interlocked
/// operation) or with the counter (a call nested in another call on the same thread).
/// </summary>
public sealed class LoadedVersionTests
{
    private static LoadedVersion<NumberFeatures, double> NewVersion(string version = "1") =>
        new(new LinearModel(new ModelTracker()), new VersionRecord(version), "sha256:test");

    [Fact]
    public void TryEnter_AfterRetire_RefusesAndDrainsAtOnce()
    {
        var version = NewVersion();

        version.Retire();

        Assert.True(version.Drained.IsCompleted);
        Assert.False(version.TryEnter(out _));
        Assert.Equal(0, version.InFlight);
    }

    [Fact]
    public void Retire_MarkedCallRunning_DrainsOnlyWhenItExits()
    {
        var version = NewVersion();
        Assert.True(version.TryEnter(out var mark));
        Assert.NotNull(mark);
        Assert.Equal(1, version.InFlight);

        version.Retire();

        Assert.False(version.Drained.IsCompleted);
        Assert.Equal(1, version.InFlight);
        version.Exit(mark);
        Assert.True(version.Drained.IsCompleted);
        Assert.Equal(0, version.InFlight);
    }

    [Fact]
    public void TryEnter_NestedOnOneThread_CountsTheInnerCallAndDrainsAfterBoth()
    {
        // A model whose Predict calls another model (or itself) on the same thread.
        var outer = NewVersion("1");
        var inner = NewVersion("2");
        Assert.True(outer.TryEnter(out var outerMark));
        Assert.True(inner.TryEnter(out var innerMark));
        Assert.True(outer.TryEnter(out var sameMark));
        Assert.NotNull(outerMark);
        Assert.Null(innerMark);
        Assert.Null(sameMark);
        Assert.Equal((2, 1), (outer.InFlight, inner.InFlight));

        inner.Retire();
        outer.Retire();

        Assert.False(inner.TryEnter(out _));
        inner.Exit(innerMark);
        Assert.True(inner.Drained.IsCompleted);
        outer.Exit(sameMark);
        Assert.False(outer.Drained.IsCompleted);
        outer.Exit(outerMark);
        Assert.True(outer.Drained.IsCompleted);
    }

    [Fact]
    public void Exit_LastOfSeveralThreads_Drains()
    {
        var version = NewVersion();
        using var entered = new CountdownEvent(4);
        using var leave = new ManualResetEventSlim();
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            Assert.True(version.TryEnter(out var mark));
            entered.Signal();
            leave.Wait();
            version.Exit(mark);
        })).ToList();
        threads.ForEach(t => t.Start());
        Assert.True(entered.Wait(TimeSpan.FromSeconds(10)));

        version.Retire();
        Assert.Equal(4, version.InFlight);
        Assert.False(version.Drained.IsCompleted);
        leave.Set();
        threads.ForEach(t => t.Join());

        Assert.True(version.Drained.IsCompleted);
    }

    [Fact]
    public async Task TryEnter_ManyThreadsWhileVersionsAreRetired_NoCallRunsOnADrainedVersion()
    {
        // Callers enter the current version (sometimes a second one nested in it) and check it was
        // not drained under them, while versions are swapped and retired as fast as they drain.
        var current = NewVersion("0");
        var stop = 0;
        var violations = 0;
        long calls = 0;
        var callers = Enumerable.Range(0, 4).Select(n => Task.Factory.StartNew(
            () =>
            {
                while (Volatile.Read(ref stop) == 0)
                {
                    var version = Volatile.Read(ref current);
                    if (!version.TryEnter(out var mark))
                    {
                        continue;
                    }

                    var nested = n % 2 == 0 ? Volatile.Read(ref current) : null;
                    CallMark? nestedMark = null;
                    var nestedEntered = nested is not null && nested.TryEnter(out nestedMark);
                    Thread.SpinWait(50);
                    if (version.Drained.IsCompleted || (nestedEntered && nested!.Drained.IsCompleted))
                    {
                        Interlocked.Increment(ref violations);
                    }

                    if (nestedEntered)
                    {
                        nested!.Exit(nestedMark);
                    }

                    version.Exit(mark);
                    Interlocked.Increment(ref calls);
                }
            },
            TaskCreationOptions.LongRunning)).ToList();

        for (var swap = 1; swap <= 100; swap++)
        {
            var previous = Interlocked.Exchange(ref current, NewVersion(swap.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            previous.Retire();
            await previous.Drained.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(0, previous.InFlight);
        }

        Volatile.Write(ref stop, 1);
        await Task.WhenAll(callers);
        Assert.Equal(0, violations);
        Assert.True(calls > 0);
    }

    [Fact]
    public void CallMarks_ThreadsThatEnded_HandTheirMarkOn()
    {
        var before = CallMarks.Registered;
        for (var i = 0; i < 100; i++)
        {
            var version = NewVersion();
            var thread = new Thread(() =>
            {
                Assert.True(version.TryEnter(out var mark));
                version.Exit(mark);
            });
            thread.Start();
            thread.Join();
        }

        // Other tests' threads may register meanwhile; 100 threads that each ended before the next did not add 100 marks.
        Assert.InRange(CallMarks.Registered - before, 0, 30);
    }
}
