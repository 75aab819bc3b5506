using Microsoft.Extensions.Time.Testing;

namespace LyftServing.Tests.TestModels;

/// <summary>A fake clock that also counts the timers armed on it, so tests know a delay is pending before advancing.</summary>
public sealed class TestClock : FakeTimeProvider
{
    private int _timers;

    public int TimersCreated => Volatile.Read(ref _timers);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref _timers);
        return base.CreateTimer(callback, state, dueTime, period);
    }
}
