namespace LyftServing.Tests.Versions;

public class VersionComparerTests
{
    [Theory]
    [InlineData("9", "10")]
    [InlineData("1", "2")]
    [InlineData("2026-11-20", "2026-11-21")]
    [InlineData("2026-9-1", "2026-10-1")]
    [InlineData("v2", "v10")]
    [InlineData("1.9.0", "1.10.0")]
    [InlineData("7", "007")]
    [InlineData("1", "1a")]
    [InlineData("a", "b")]
    public void Compare_OlderThenNewer_OrdersAsPeopleRead(string older, string newer)
    {
        Assert.True(VersionComparer.Instance.Compare(older, newer) < 0);
        Assert.True(VersionComparer.Instance.Compare(newer, older) > 0);
        Assert.Equal(0, VersionComparer.Instance.Compare(newer, newer));
    }

    [Fact]
    public void Max_MixedVersions_PicksNumericallyNewest()
    {
        string[] versions = ["1", "10", "9", "2", "100", "99"];

        Assert.Equal("100", versions.Max(VersionComparer.Instance));
    }
}
