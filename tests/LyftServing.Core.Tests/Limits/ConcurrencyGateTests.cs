using LyftServing.Internal;

namespace LyftServing.Tests.Limits;

public sealed class ConcurrencyGateTests
{
    [Fact]
    public void TryEnter_UpToTheLimit_ThenRefused()
    {
        var gate = new ConcurrencyGate(2, 0);

        Assert.True(gate.TryEnter());
        Assert.True(gate.TryEnter());
        Assert.False(gate.TryEnter());
        gate.Exit();
        Assert.True(gate.TryEnter());
    }

    [Fact]
    public async Task EnterAsync_Waiters_GrantedOldestFirstAndBeyondTheQueueRefused()
    {
        var gate = new ConcurrencyGate(1, 2);
        Assert.True(gate.TryEnter());

        var first = gate.EnterAsync(default)!;
        var second = gate.EnterAsync(default)!;
        var third = gate.EnterAsync(default);

        Assert.Null(third);
        Assert.False(gate.TryEnter()); // no jumping the queue
        gate.Exit();
        await first.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(second.IsCompleted);
        gate.Exit();
        await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, gate.Running);
    }

    [Fact]
    public async Task EnterAsync_WaiterCancels_LeavesTheQueueAtOnce()
    {
        var gate = new ConcurrencyGate(1, 1);
        Assert.True(gate.TryEnter());
        using var cancel = new CancellationTokenSource();
        var leaving = gate.EnterAsync(cancel.Token)!;

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        var next = gate.EnterAsync(default);
        Assert.NotNull(next);
        gate.Exit();
        await next.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, gate.Running);
    }

    [Fact]
    public async Task SetLimits_Raised_GrantsWaiters_Lowered_AdmitsNothingUntilBelowTheNewLimit()
    {
        var gate = new ConcurrencyGate(1, 4);
        Assert.True(gate.TryEnter());
        var waiting = gate.EnterAsync(default)!;

        gate.SetLimits(3, 4);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(gate.TryEnter());
        gate.SetLimits(1, 4);

        Assert.False(gate.TryEnter());
        gate.Exit();
        gate.Exit();
        Assert.False(gate.TryEnter());
        gate.Exit();
        Assert.True(gate.TryEnter());
    }

    [Fact]
    public async Task EnterAndExit_ManyConcurrentCallers_NeverMoreThanTheLimit()
    {
        const int Limit = 3;
        var gate = new ConcurrencyGate(Limit, 1000);
        var running = 0;
        var max = 0;
        using var cancel = new CancellationTokenSource();

        await Task.WhenAll(Enumerable.Range(0, 16).Select(caller => Task.Run(async () =>
        {
            for (var i = 0; i < 2000; i++)
            {
                if (!gate.TryEnter())
                {
                    // Every seventh waiter gives up at once: a cancelled waiter must not leak a permit.
                    using var giveUp = new CancellationTokenSource();
                    var entering = gate.EnterAsync(giveUp.Token)!;
                    if ((caller + i) % 7 == 0)
                    {
                        await giveUp.CancelAsync();
                    }

                    try
                    {
                        await entering;
                    }
                    catch (OperationCanceledException)
                    {
                        continue;
                    }
                }

                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref max, now);
                Interlocked.Decrement(ref running);
                gate.Exit();
            }
        })));

        Assert.InRange(max, 1, Limit);
        Assert.Equal(0, gate.Running);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
