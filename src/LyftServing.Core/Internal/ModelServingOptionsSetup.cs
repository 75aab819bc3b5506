using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace LyftServing.Internal;

/// <summary>
/// Binds <see cref="ModelServingOptions"/> to configuration after the builder's code defaults, so
/// configuration wins. Unknown keys are errors naming their full path; the settings sections
/// registered with <c>AddModelSettings</c> are skipped here and bound by their own setup.
/// </summary>
internal sealed class ModelServingOptionsSetup(
    IEnumerable<ModelServingConfiguration> configurations,
    IEnumerable<ModelSettingsRegistration> settings,
    IEnumerable<ModelStoreScheme> stores) : IPostConfigureOptions<ModelServingOptions>
{
    private readonly HashSet<string> _settingsSections = new(settings.Select(s => s.SectionName), StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _storeSections = new(stores.Select(s => s.SettingsSection), StringComparer.OrdinalIgnoreCase);

    public static ModelOptions GetOrAdd(ModelServingOptions options, string name)
    {
        if (!options.Models.TryGetValue(name, out var model))
        {
            model = new ModelOptions();
            options.Models[name] = model;
        }

        return model;
    }

    public void PostConfigure(string? name, ModelServingOptions options)
    {
        if (name != Options.DefaultName)
        {
            return;
        }

        foreach (var configuration in configurations)
        {
            var unknown = new List<string>();
            ConfigurationKeys.FindUnknown(configuration.Section, typeof(ModelServingOptions), _settingsSections, unknown, _storeSections);
            if (unknown.Count > 0)
            {
                throw new OptionsValidationException(
                    Options.DefaultName,
                    typeof(ModelServingOptions),
                    [.. unknown.Select(key => $"'{key}' is not a known setting of model serving: check its spelling against the configuration reference.")]);
            }

            var section = new SettingsHidingConfiguration(configuration.Section, _settingsSections, _storeSections, depth: 0);
            try
            {
                section.Bind(options, o => o.ErrorOnUnknownConfiguration = true);
            }
            catch (InvalidOperationException ex)
            {
                var path = configuration.Section is IConfigurationSection s ? s.Path : "(root)";
                throw new OptionsValidationException(
                    Options.DefaultName,
                    typeof(ModelServingOptions),
                    [$"The model serving configuration '{path}' is invalid: {Describe(ex)}"]);
            }
        }
    }

    /// <summary>The binder's messages, outermost first: one of them names the key, the innermost what is wrong with its value.</summary>
    private static string Describe(Exception exception)
    {
        var messages = new List<string>();
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        return string.Join(" ", messages);
    }

    /// <summary>The binder wraps the useful message (which key, which type) in a generic one.</summary>
    internal static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is { } inner)
        {
            exception = inner;
        }

        return exception;
    }

    /// <summary>
    /// A view of the configuration without the per-model settings sections (<c>Models:{name}:{section}</c>)
    /// and the stores' settings sections (<c>{section}</c>), so the strict binder does not report them as unknown.
    /// </summary>
    private sealed class SettingsHidingConfiguration(IConfiguration inner, HashSet<string> hidden, HashSet<string> hiddenAtRoot, int depth) : IConfiguration
    {
        // depth 0: the ModelServing section; 1: Models; 2: a model; its children are the model's keys.
        public string? this[string key]
        {
            get => inner[key];
            set => inner[key] = value;
        }

        public IEnumerable<IConfigurationSection> GetChildren() =>
            inner.GetChildren()
                .Where(c => !(depth == 2 && hidden.Contains(c.Key)) && !(depth == 0 && hiddenAtRoot.Contains(c.Key)))
                .Select(c => Wrap(c));

        public IChangeToken GetReloadToken() => inner.GetReloadToken();

        public IConfigurationSection GetSection(string key) => Wrap(inner.GetSection(key), key);

        private IConfigurationSection Wrap(IConfigurationSection section, string? key = null)
        {
            var childDepth = depth switch
            {
                0 when string.Equals(key ?? section.Key, "Models", StringComparison.OrdinalIgnoreCase) => 1,
                0 => -1,
                1 => 2,
                _ => -1,
            };
            return childDepth < 0 ? section : new Section(section, new SettingsHidingConfiguration(section, hidden, hiddenAtRoot, childDepth));
        }

        private sealed class Section(IConfigurationSection inner, SettingsHidingConfiguration view) : IConfigurationSection
        {
            public string? this[string key]
            {
                get => inner[key];
                set => inner[key] = value;
            }

            public string Key => inner.Key;

            public string Path => inner.Path;

            public string? Value
            {
                get => inner.Value;
                set => inner.Value = value;
            }

            public IEnumerable<IConfigurationSection> GetChildren() => view.GetChildren();

            public IChangeToken GetReloadToken() => inner.GetReloadToken();

            public IConfigurationSection GetSection(string key) => view.GetSection(key);
        }
    }
}
