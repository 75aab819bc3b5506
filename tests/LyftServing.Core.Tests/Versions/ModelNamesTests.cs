namespace LyftServing.Tests.Versions;

public class ModelNamesTests
{
    [Theory]
    [InlineData("driver_eta")]
    [InlineData("7")]
    [InlineData("2026-11-20")]
    [InlineData("fraud.v2")]
    [InlineData("a..b")]
    public void IsValid_GoodNames_True(string name) => Assert.True(ModelNames.IsValid(name));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("/etc")]
    [InlineData("Driver")]
    [InlineData("-x")]
    [InlineData("_x")]
    [InlineData(".x")]
    [InlineData("a b")]
    [InlineData("é")]
    public void IsValid_BadNames_False(string? name) => Assert.False(ModelNames.IsValid(name));

    [Fact]
    public void IsValid_LengthLimit_128()
    {
        Assert.True(ModelNames.IsValid(new string('a', 128)));
        Assert.False(ModelNames.IsValid(new string('a', 129)));
    }
}
