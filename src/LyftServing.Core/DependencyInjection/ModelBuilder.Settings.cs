using LyftServing.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace LyftServing;

public sealed partial class ModelBuilder<TFeatures, TOutput>
{
    /// <summary>
    /// Configures this model's settings in code: the settings of its runtime (such as
    /// <c>OnnxModelSettings</c>, registered with <c>AddModelRuntime</c>) or of its own model code
    /// (registered with <c>AddModelSettings</c>, taken as <see cref="IModelSettings{TSettings}"/>).
    /// A version's <c>model.json</c> properties and configuration override what this sets.
    /// </summary>
    /// <typeparam name="TSettings">The settings type.</typeparam>
    /// <param name="configure">Sets the settings.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">
    /// The model does not read <typeparamref name="TSettings"/> (its runtime reads other settings, or
    /// its model code takes no <see cref="IModelSettings{TSettings}"/>): the call would be ignored.
    /// </exception>
    public ModelBuilder<TFeatures, TOutput> ConfigureSettings<TSettings>(Action<TSettings> configure)
        where TSettings : class
    {
        ArgumentNullException.ThrowIfNull(configure);
        var reads = ModelSettingsTypes.Of(Services, Name);
        if (!reads.Contains(typeof(TSettings)))
        {
            throw new InvalidOperationException(
                $"Model '{Name}' does not read {typeof(TSettings).Name}, so these settings would be ignored; it reads {(reads.Count == 0 ? "no settings" : string.Join(", ", reads.Select(t => t.Name)))}.");
        }

        Services.Configure(Name, configure);
        return this;
    }
}
