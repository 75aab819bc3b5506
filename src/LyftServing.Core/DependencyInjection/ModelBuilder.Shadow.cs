using Microsoft.Extensions.DependencyInjection;

namespace LyftServing;

public sealed partial class ModelBuilder<TFeatures, TOutput>
{
    /// <summary>
    /// Loads a newer version found in the store as a shadow instead of promoting it, so it sees a
    /// sample of real calls first; promote it with <c>IModelManager.PromoteAsync</c>.
    /// </summary>
    /// <param name="sampleRate">The share of calls replayed to the shadow, from 0 to 1.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder<TFeatures, TOutput> ShadowLatestCandidate(double sampleRate = 1)
    {
        ThrowIfInvalidRate(sampleRate);
        return Configure(o =>
        {
            o.Shadow.LatestCandidate = true;
            o.Shadow.SampleRate = sampleRate;
        });
    }

    /// <summary>Loads a version as a shadow of the primary. A shadowed version is never promoted automatically.</summary>
    /// <param name="version">The version.</param>
    /// <param name="sampleRate">The share of calls replayed to this shadow, from 0 to 1.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder<TFeatures, TOutput> ShadowVersion(string version, double sampleRate = 1)
    {
        ModelNames.ThrowIfInvalid(version);
        ThrowIfInvalidRate(sampleRate);
        return Configure(o =>
        {
            if (!o.Shadow.Versions.Contains(version))
            {
                o.Shadow.Versions.Add(version);
            }

            o.Shadow.SampleRates[version] = sampleRate;
        });
    }

    /// <summary>Compares shadow outputs with the primary's using a custom comparer.</summary>
    /// <param name="comparer">The comparer; the host never disposes it.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder<TFeatures, TOutput> CompareShadowsWith(IShadowComparer<TOutput> comparer)
    {
        ArgumentNullException.ThrowIfNull(comparer);
        Services.AddKeyedSingleton(Name, comparer);
        return this;
    }

    private static void ThrowIfInvalidRate(double sampleRate, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(sampleRate))] string? paramName = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sampleRate, paramName);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampleRate, 1, paramName);
    }
}
