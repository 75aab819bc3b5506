using LyftServing.Internal;

namespace LyftServing.Tests.Hosting;

public sealed class ModelPollerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(0.0, 30.0)]
    [InlineData(0.5, 27.0)]
    [InlineData(0.999999, 24.0)]
    public void NextWait_StoreAnswers_JitteredDownByAtMostAFifthNeverUp(double random, double expectedSeconds) =>
        Assert.Equal(expectedSeconds, ModelPoller.NextWait(Interval, failures: 0, random).TotalSeconds, precision: 3);

    [Theory]
    [InlineData(1, 60.0)]
    [InlineData(2, 120.0)]
    [InlineData(3, 240.0)]
    [InlineData(4, 240.0)]
    [InlineData(1000, 240.0)]
    public void NextWait_StoreUnreachable_DoublesUpToEightIntervals(int failures, double expectedSeconds) =>
        Assert.Equal(expectedSeconds, ModelPoller.NextWait(Interval, failures, random: 0).TotalSeconds, precision: 3);

    [Fact]
    public void NextWait_ManyReplicas_SpreadOverTheJitterWindow()
    {
        var random = new Random(7);
        var waits = Enumerable.Range(0, 1000).Select(_ => ModelPoller.NextWait(Interval, 0, random.NextDouble()).TotalSeconds).ToList();

        Assert.All(waits, w => Assert.InRange(w, 24.0, 30.0));
        Assert.True(waits.Max() - waits.Min() > 5.5, $"waits spread over {waits.Min()}..{waits.Max()} s");
    }
}
