using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace LyftServing.Internal;

/// <summary>Binds a per-model settings type from <c>Models:{model}:{section}</c> of each model serving configuration.</summary>
internal sealed class ModelSettingsSetup<TSettings>(string sectionName, IEnumerable<ModelServingConfiguration> configurations) : IConfigureNamedOptions<TSettings>
    where TSettings : class
{
    public void Configure(TSettings options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, TSettings options)
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
