namespace LyftServing.Internal;

/// <summary>
/// Which versions of a model should serve: a pure function of what the store lists, the model's
/// options, the operator's decision and what serves now. It does no I/O and keeps no state, so the
/// same inputs give the same answer on every replica.
/// </summary>
/// <remarks>
/// The primary, in order of precedence:
/// <list type="number">
/// <item>the operator's decision: a pinned version; or a promoted or rolled-back version, held until
/// a version newer than the newest one at the time of the decision is published (with
/// <see cref="ShadowOptions.LatestCandidate"/>, held for good: newer versions become shadows);</item>
/// <item>the configured pin (<see cref="ModelOptions.Version"/>);</item>
/// <item>the newest version that is not a shadow; with <see cref="ShadowOptions.LatestCandidate"/>
/// and a primary already serving, none newer than it (a newer one becomes a shadow instead).</item>
/// </list>
/// A pin names one version only. Otherwise the candidates run newest first, so a version that fails
/// to load or pass its self-tests is skipped for the next one down: a restart falls back instead of
/// looping. Which candidates failed before is the lifecycle's to know; it skips them.
/// </remarks>
internal static class VersionPolicy
{
    /// <summary>The primary candidates, most preferred first, or why there are none.</summary>
    public static PrimaryPlan ChoosePrimary(
        string modelName,
        IReadOnlyList<ModelVersionInfo> listed,
        ModelOptions options,
        ModelDecision decision,
        string? currentPrimary)
    {
        var newestFirst = listed.OrderByDescending(v => v.Version, VersionComparer.Instance).ToList();
        var shadows = ExplicitShadows(options, decision);
        if (decision.PrimaryVersion is { } decided && (decision.Pinned || options.Shadow.LatestCandidate || !HasNewerThan(newestFirst, decision.NewestWhenDecided ?? decided)))
        {
            var reason = decision.Pinned ? "is pinned by an operator to" : $"is held by an operator's {decision.Reason ?? "decision"} at";
            return Plan(newestFirst, decided, decision.Pinned, $"Model '{modelName}' {reason} version '{decided}'", shadows);
        }

        if (options.Version is { } pinned)
        {
            return Plan(newestFirst, pinned, pinnedOnly: true, $"Model '{modelName}' is pinned to version '{pinned}'", shadows);
        }

        var candidates = newestFirst
            .Where(v => !shadows.ContainsKey(v.Version))
            .Where(v => !options.Shadow.LatestCandidate || currentPrimary is null || VersionComparer.Instance.Compare(v.Version, currentPrimary) <= 0)
            .Select(v => v.Version)
            .ToList();
        return candidates.Count > 0
            ? new PrimaryPlan(candidates, null)
            : new PrimaryPlan([], newestFirst.Count == 0
                ? $"Model '{modelName}' has no versions in its store."
                : $"Model '{modelName}' has no version that is not a shadow (found: {Describe(newestFirst)}); shadows are never promoted automatically.");
    }

    /// <summary>The versions that should shadow <paramref name="primary"/>, with their sample rates.</summary>
    public static IReadOnlyList<(string Version, double SampleRate)> ChooseShadows(
        IReadOnlyList<ModelVersionInfo> listed,
        ModelOptions options,
        ModelDecision decision,
        string? primary,
        Func<ModelVersionInfo, bool> isBlocked)
    {
        if (primary is null)
        {
            return [];
        }

        var available = listed.Where(v => v.Version != primary && !isBlocked(v)).ToDictionary(v => v.Version, StringComparer.Ordinal);
        var chosen = ExplicitShadows(options, decision)
            .Where(s => available.ContainsKey(s.Key))
            .Select(s => (s.Key, s.Value))
            .ToList();
        if (options.Shadow.LatestCandidate
            && available.Keys.Where(v => VersionComparer.Instance.Compare(v, primary) > 0).Max(VersionComparer.Instance) is { } candidate
            && !chosen.Exists(s => s.Key == candidate)
            && !(decision.Shadows.TryGetValue(candidate, out var off) && off == 0))
        {
            chosen.Add((candidate, options.Shadow.SampleRate));
        }

        return chosen;
    }

    /// <summary>Configured shadows and the operator's, with their rates; a rate of 0 from the operator switches one off.</summary>
    public static Dictionary<string, double> ExplicitShadows(ModelOptions options, ModelDecision decision)
    {
        var shadows = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var version in options.Shadow.Versions)
        {
            shadows[version] = options.Shadow.SampleRates.TryGetValue(version, out var rate) ? rate : options.Shadow.SampleRate;
        }

        foreach (var (version, rate) in decision.Shadows)
        {
            if (rate > 0)
            {
                shadows[version] = rate;
            }
            else
            {
                shadows.Remove(version);
            }
        }

        return shadows;
    }

    public static string? Newest(IReadOnlyList<ModelVersionInfo> listed) => listed.Select(v => v.Version).Max(VersionComparer.Instance);

    public static string Describe(IEnumerable<ModelVersionInfo> versions)
    {
        var names = versions.Select(v => v.Version).Order(VersionComparer.Instance).ToList();
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }

    private static PrimaryPlan Plan(
        List<ModelVersionInfo> newestFirst,
        string chosen,
        bool pinnedOnly,
        string what,
        Dictionary<string, double> shadows)
    {
        var found = newestFirst.FindIndex(v => v.Version == chosen);
        if (found < 0)
        {
            return new PrimaryPlan([], $"{what}, which is not in its store (found: {Describe(newestFirst)}).");
        }

        // A pin serves its version or nothing; a held version falls back to older ones, never to
        // newer ones the operator stepped back from.
        var candidates = pinnedOnly
            ? [chosen]
            : newestFirst.Skip(found).Where((v, i) => i == 0 || !shadows.ContainsKey(v.Version)).Select(v => v.Version).ToList();
        return new PrimaryPlan(candidates, null);
    }

    private static bool HasNewerThan(List<ModelVersionInfo> newestFirst, string version) =>
        newestFirst.Count > 0 && VersionComparer.Instance.Compare(newestFirst[0].Version, version) > 0;
}

/// <summary>The primary candidates, most preferred first; when empty, <see cref="Problem"/> says why.</summary>
internal sealed record PrimaryPlan(IReadOnlyList<string> Candidates, string? Problem);
