using LyftServing.Internal;

namespace LyftServing.Tests.Hosting;

/// <summary>The version policy is a pure function: every rule is checked here without a host.</summary>
public sealed class VersionPolicyTests
{
    private static List<ModelVersionInfo> Listed(params string[] versions) => [.. versions.Select(v => new ModelVersionInfo(v, "stamp-" + v))];

    private static ModelOptions Options(Action<ModelOptions>? configure = null)
    {
        var options = new ModelOptions();
        configure?.Invoke(options);
        return options;
    }

    private static PrimaryPlan Primary(IReadOnlyList<ModelVersionInfo> listed, ModelOptions? options = null, ModelDecision? decision = null, string? current = null) =>
        VersionPolicy.ChoosePrimary("m", listed, options ?? Options(), decision ?? ModelDecision.None, current);

    [Fact]
    public void ChoosePrimary_NoDecisionNoPin_AllVersionsNewestFirstByNumericOrder()
    {
        Assert.Equal(["10", "9", "2"], Primary(Listed("9", "2", "10")).Candidates);
    }

    [Fact]
    public void ChoosePrimary_ConfiguredShadows_AreNeverCandidates()
    {
        var plan = Primary(Listed("1", "2", "3"), Options(o => o.Shadow.Versions.Add("3")));

        Assert.Equal(["2", "1"], plan.Candidates);
    }

    [Fact]
    public void ChoosePrimary_OnlyShadows_NoCandidateAndTheProblemSaysWhy()
    {
        var plan = Primary(Listed("3"), Options(o => o.Shadow.Versions.Add("3")));

        Assert.Empty(plan.Candidates);
        Assert.Equal("Model 'm' has no version that is not a shadow (found: 3); shadows are never promoted automatically.", plan.Problem);
    }

    [Fact]
    public void ChoosePrimary_ConfiguredPin_OnlyThePinnedVersion()
    {
        Assert.Equal(["1"], Primary(Listed("1", "2"), Options(o => o.Version = "1")).Candidates);
        Assert.Equal("Model 'm' is pinned to version '7', which is not in its store (found: 1, 2).", Primary(Listed("1", "2"), Options(o => o.Version = "7")).Problem);
    }

    [Fact]
    public void ChoosePrimary_OperatorHold_HeldVersionThenOlderOnes_UntilANewerVersionIsPublished()
    {
        var rollback = new ModelDecision { PrimaryVersion = "2", NewestWhenDecided = "3", Reason = "rollback" };

        Assert.Equal(["2", "1"], Primary(Listed("1", "2", "3"), decision: rollback).Candidates);
        Assert.Equal(["4", "3", "2", "1"], Primary(Listed("1", "2", "3", "4"), decision: rollback).Candidates);
    }

    [Fact]
    public void ChoosePrimary_OperatorPin_WinsOverTheConfiguredPinAndNewerVersions()
    {
        var pin = new ModelDecision { PrimaryVersion = "2", Pinned = true, NewestWhenDecided = "2" };

        Assert.Equal(["2"], Primary(Listed("1", "2", "3", "4"), Options(o => o.Version = "4"), pin).Candidates);
        Assert.Equal("Model 'm' is pinned by an operator to version '2', which is not in its store (found: 1).", Primary(Listed("1"), decision: pin).Problem);
    }

    [Fact]
    public void ChoosePrimary_LatestCandidateWithAPrimary_NoNewerVersionIsACandidate()
    {
        var options = Options(o => o.Shadow.LatestCandidate = true);

        Assert.Equal(["3", "2", "1"], Primary(Listed("1", "2", "3"), options).Candidates);
        Assert.Equal(["2", "1"], Primary(Listed("1", "2", "3"), options, current: "2").Candidates);
    }

    [Fact]
    public void ChoosePrimary_LatestCandidateWithAHeldVersion_HeldEvenWhenNewerVersionsArePublished()
    {
        var initial = new ModelDecision { PrimaryVersion = "2", NewestWhenDecided = "2" };

        Assert.Equal(["2", "1"], Primary(Listed("1", "2", "3"), Options(o => o.Shadow.LatestCandidate = true), initial).Candidates);
    }

    [Fact]
    public void ChooseShadows_RatesFromTheVersionTheDefaultAndTheOperator_AndTheOperatorCanSwitchOneOff()
    {
        var options = Options(o =>
        {
            o.Shadow.SampleRate = 0.5;
            o.Shadow.Versions.Add("2");
            o.Shadow.Versions.Add("3");
            o.Shadow.Versions.Add("4");
            o.Shadow.SampleRates["3"] = 0.1;
        });
        var decision = new ModelDecision { Shadows = new Dictionary<string, double> { ["4"] = 0, ["5"] = 0.25 } };

        var shadows = VersionPolicy.ChooseShadows(Listed("1", "2", "3", "4", "5"), options, decision, "1", _ => false);

        Assert.Equal([("2", 0.5), ("3", 0.1), ("5", 0.25)], shadows.OrderBy(s => s.Version, StringComparer.Ordinal));
    }

    [Fact]
    public void ChooseShadows_PrimaryMissingAndBlockedVersions_AreNotShadows()
    {
        var options = Options(o =>
        {
            o.Shadow.Versions.Add("1");
            o.Shadow.Versions.Add("7");
            o.Shadow.Versions.Add("3");
        });

        var shadows = VersionPolicy.ChooseShadows(Listed("1", "2", "3"), options, ModelDecision.None, "1", v => v.Version == "3");

        Assert.Empty(shadows);
    }

    [Fact]
    public void ChooseShadows_LatestCandidate_TheNewestVersionAboveThePrimaryThatHasNotFailed()
    {
        var options = Options(o =>
        {
            o.Shadow.LatestCandidate = true;
            o.Shadow.SampleRate = 0.2;
        });

        Assert.Equal([("3", 0.2)], VersionPolicy.ChooseShadows(Listed("1", "2", "3"), options, ModelDecision.None, "1", _ => false));
        Assert.Equal([("2", 0.2)], VersionPolicy.ChooseShadows(Listed("1", "2", "3"), options, ModelDecision.None, "1", v => v.Version == "3"));
        Assert.Empty(VersionPolicy.ChooseShadows(Listed("1", "2", "3"), options, ModelDecision.None, "3", _ => false));
    }
}
