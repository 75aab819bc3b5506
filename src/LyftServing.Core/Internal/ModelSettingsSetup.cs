using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace LyftServing.Internal;

/// <summary>The settings checks the start-up validator runs for every model, whatever the settings type.</summary>
internal interface IModelSettingsCheck
{
    IEnumerable<string> Validate(string modelName);
}

/// <summary>
/// Builds a model's settings for one version: defaults, code (<c>ConfigureSettings</c>, named
/// options), <c>model.json</c> properties, then each model serving configuration's
/// <c>Models:{model}:{section}</c>; validates the result and names the key path of every error.
/// </summary>
internal sealed class ModelSettingsProvider<TSettings>(
    IEnumerable<ModelSettingsRegistration> registrations,
    IEnumerable<IConfigureOptions<TSettings>> setups,
    IEnumerable<IValidateOptions<TSettings>> validators,
    IEnumerable<ModelServingConfiguration> configurations) : IModelSettings<TSettings>, IModelSettingsCheck
    where TSettings : class, new()
{
    private const string PropertiesPath = "model.json properties";
    private readonly string _sectionName = registrations.First(r => r.SettingsType == typeof(TSettings)).SectionName;

    public TSettings Read(ModelArtifact artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        return Build(artifact.ModelName, artifact.Manifest.Properties);
    }

    public IEnumerable<string> Validate(string modelName)
    {
        try
        {
            Build(modelName, properties: null);
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return ex.Failures;
        }
    }

    internal TSettings Build(string modelName, IReadOnlyDictionary<string, JsonElement>? properties)
    {
        var settings = new TSettings();
        foreach (var setup in setups)
        {
            if (setup is IConfigureNamedOptions<TSettings> named)
            {
                named.Configure(modelName, settings);
            }
            else
            {
                setup.Configure(settings);
            }
        }

        var sources = new List<IConfigurationSection>();
        if (properties is { Count: > 0 })
        {
            sources.Add(new JsonSection(PropertiesPath, PropertiesPath, properties));
        }

        foreach (var configuration in configurations)
        {
            var section = configuration.Section.GetSection("Models").GetSection(modelName).GetSection(_sectionName);
            if (section.Exists())
            {
                sources.Add(section);
            }
        }

        foreach (var section in sources)
        {
            try
            {
                section.Bind(settings, o => o.ErrorOnUnknownConfiguration = true);
            }
            catch (InvalidOperationException ex)
            {
                throw Invalid(modelName, [$"'{section.Path}' is invalid: {ModelServingOptionsSetup.Innermost(ex).Message}"]);
            }
        }

        var errors = new List<string>();
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(settings, new ValidationContext(settings), results, validateAllProperties: true);
        if (settings is IValidatableObject validatable && results.Count == 0)
        {
            results.AddRange(validatable.Validate(new ValidationContext(settings)));
        }

        foreach (var result in results)
        {
            var member = result.MemberNames.FirstOrDefault();
            var message = (result.ErrorMessage ?? "is invalid").TrimEnd('.');
            if (member is null)
            {
                errors.Add($"{Describe(modelName)}: {message}.");
                continue;
            }

            // "The field X must be …" (the annotations' default) reads "<key> must be …; it is <value>."
            var prefix = $"The field {member} ";
            message = message.StartsWith(prefix, StringComparison.Ordinal) ? message[prefix.Length..] : message;
            var value = typeof(TSettings).GetProperty(member)?.GetValue(settings);
            errors.Add($"{KeyPath(modelName, member, sources)} {message}; it is {Format(value)}.");
        }

        foreach (var validator in validators)
        {
            if (validator.Validate(modelName, settings) is { Failed: true } failed)
            {
                errors.AddRange(failed.Failures ?? []);
            }
        }

        return errors.Count == 0 ? settings : throw Invalid(modelName, errors);
    }

    /// <summary>The key that set a member: the last source that has it (configuration wins), else the configuration key it would have.</summary>
    private string KeyPath(string modelName, string member, List<IConfigurationSection> sources)
    {
        for (var i = sources.Count - 1; i >= 0; i--)
        {
            if (sources[i].GetSection(member).Exists())
            {
                return sources[i] is JsonSection ? $"{PropertiesPath}.{member}" : $"{sources[i].Path}:{member}";
            }
        }

        return $"ModelServing:Models:{modelName}:{_sectionName}:{member} (set in code)";
    }

    private static string Format(object? value) =>
        value switch
        {
            null => "not set",
            string text => $"'{text}'",
            IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "not set",
        };

    private string Describe(string modelName) => $"ModelServing:Models:{modelName}:{_sectionName}";

    private static OptionsValidationException Invalid(string modelName, IEnumerable<string> errors) =>
        new(modelName, typeof(TSettings), errors);
}

/// <summary>A read-only configuration view of <c>model.json</c> properties, so they bind like configuration.</summary>
internal sealed class JsonSection : IConfigurationSection
{
    private readonly IReadOnlyDictionary<string, JsonElement>? _properties;
    private readonly JsonElement _element;

    public JsonSection(string key, string path, IReadOnlyDictionary<string, JsonElement> properties)
    {
        Key = key;
        Path = path;
        _properties = properties;
    }

    private JsonSection(string key, string path, JsonElement element)
    {
        Key = key;
        Path = path;
        _element = element;
    }

    public string Key { get; }

    public string Path { get; }

    public string? Value
    {
        get => _properties is not null ? null : _element.ValueKind switch
        {
            JsonValueKind.String => _element.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => _element.GetRawText(),
            _ => null,
        };
        set => throw new NotSupportedException("model.json properties are read-only.");
    }

    public string? this[string key]
    {
        get => GetSection(key).Value;
        set => throw new NotSupportedException("model.json properties are read-only.");
    }

    public IEnumerable<IConfigurationSection> GetChildren()
    {
        if (_properties is not null)
        {
            return _properties.Select(p => (IConfigurationSection)new JsonSection(p.Key, $"{Path}.{p.Key}", p.Value));
        }

        return _element.ValueKind switch
        {
            JsonValueKind.Object => [.. _element.EnumerateObject().Select(p => (IConfigurationSection)new JsonSection(p.Name, $"{Path}.{p.Name}", p.Value))],
            JsonValueKind.Array => [.. _element.EnumerateArray().Select((e, i) => (IConfigurationSection)new JsonSection(i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{Path}[{i}]", e))],
            _ => [],
        };
    }

    public IChangeToken GetReloadToken() => new CancellationChangeToken(CancellationToken.None);

    public IConfigurationSection GetSection(string key)
    {
        var separator = key.IndexOf(':', StringComparison.Ordinal);
        if (separator >= 0)
        {
            return GetSection(key[..separator]).GetSection(key[(separator + 1)..]);
        }

        foreach (var child in GetChildren())
        {
            if (string.Equals(child.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return child;
            }
        }

        return new JsonSection(key, $"{Path}.{key}", default(JsonElement));
    }
}
