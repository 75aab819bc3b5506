using Microsoft.Extensions.DependencyInjection;

namespace LyftServing;

public sealed partial class ModelBuilder
{
    /// <summary>
    /// Loads a newer version found in the store as a shadow instead of promoting it, so it sees a
    /// sample of real calls first; promote it with <c>IModelManager.PromoteAsync</c>.
    /// </summary>
    /// <param name="sampleRate">The share of calls replayed to the shadow, from 0 to 1.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder ShadowLatestCandidate(double sampleRate = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sampleRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampleRate, 1);
        return Configure(o =>
        {
            o.Shadow.LatestCandidate = true;
            o.Shadow.SampleRate = sampleRate;
        });
    }

    /// <summary>Loads a version as a shadow of the primary at start-up.</summary>
    /// <param name="version">The version.</param>
    /// <param name="sampleRate">The share of calls replayed to the shadow, from 0 to 1.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder ShadowVersion(string version, double sampleRate = 1)
    {
        ModelNames.ThrowIfInvalid(version);
        ArgumentOutOfRangeException.ThrowIfNegative(sampleRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampleRate, 1);
        return Configure(o =>
        {
            if (!o.Shadow.Versions.Contains(version))
            {
                o.Shadow.Versions.Add(version);
            }

            o.Shadow.SampleRate = sampleRate;
        });
    }

    /// <summary>Compares shadow outputs with the primary's using a custom comparer.</summary>
    /// <typeparam name="TOutput">The model's output type.</typeparam>
    /// <param name="comparer">The comparer.</param>
    /// <returns>This builder.</returns>
    public ModelBuilder CompareShadowsWith<TOutput>(IShadowComparer<TOutput> comparer)
    {
        ArgumentNullException.ThrowIfNull(comparer);
        Services.AddKeyedSingleton(Name, comparer);
        return this;
    }
}
