using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace LyftServing.Internal;

/// <summary>
/// Binds a per-model settings type from <c>Models:{model}:{section}</c> of each model serving
/// configuration, after the builder's code defaults (<c>ConfigureSettings</c>), so configuration wins.
/// </summary>
internal sealed class ModelSettingsSetup<TSettings>(string sectionName, IEnumerable<ModelServingConfiguration> configurations) : IPostConfigureOptions<TSettings>
    where TSettings : class
{
    public void PostConfigure(string? name, TSettings options)
    {
        if (!ModelNames.IsValid(name))
        {
            return;
        }

        foreach (var configuration in configurations)
        {
            var section = configuration.Section.GetSection("Models").GetSection(name).GetSection(sectionName);
            try
            {
                section.Bind(options, o => o.ErrorOnUnknownConfiguration = true);
            }
            catch (InvalidOperationException ex)
            {
                throw new OptionsValidationException(name, typeof(TSettings), [$"The configuration '{section.Path}' is invalid: {ModelServingOptionsSetup.Innermost(ex).Message}"]);
            }
        }
    }
}
