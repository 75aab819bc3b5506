using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LyftServing.Internal;

/// <summary>A kind of model store registered with <c>AddModelStoreScheme</c>.</summary>
internal sealed record ModelStoreScheme(string Scheme, string SettingsSection, Func<IServiceProvider, Uri, IModelStore> Create);

/// <summary>
/// Turns store locations (<see cref="ModelServingOptions.StoreRoot"/>, <see cref="ModelOptions.Store"/>)
/// into stores: <c>scheme://…</c> through the registered store kinds, anything else a directory.
/// One store per distinct location, disposed with the service provider.
/// </summary>
internal sealed class StoreLocations(IEnumerable<ModelStoreScheme> schemes, IServiceProvider services) : IDisposable
{
    private readonly Dictionary<string, ModelStoreScheme> _schemes = schemes.ToDictionary(s => s.Scheme, StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<IModelStore>> _stores = new(StringComparer.Ordinal);

    /// <summary>The scheme of a location written as <c>scheme://…</c>, else <see langword="null"/> (a directory).</summary>
    public static string? SchemeOf(string location)
    {
        var end = location.IndexOf("://", StringComparison.Ordinal);
        return end > 0 && IsScheme(location[..end]) ? location[..end] : null;
    }

    public static bool IsScheme(string scheme) =>
        scheme.Length > 0 && char.IsAsciiLetterLower(scheme[0]) && scheme.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '+' or '-' or '.');

    /// <summary>Why a location cannot be used, or <see langword="null"/> when it can.</summary>
    public string? Check(string location) =>
        SchemeOf(location) is { } scheme && !_schemes.ContainsKey(scheme)
            ? $"the store location '{location}' has the scheme '{scheme}', which no store package registered (registered: {(_schemes.Count == 0 ? "none" : string.Join(", ", _schemes.Keys.Order(StringComparer.Ordinal)))}); add the store package's registration, such as AddS3ModelStore() for s3://"
            : null;

    public IModelStore Get(string location, string contentRoot)
    {
        if (SchemeOf(location) is not { } scheme)
        {
            return new FileSystemModelStore(Path.Combine(contentRoot, location));
        }

        var kind = _schemes.GetValueOrDefault(scheme) ?? throw new InvalidOperationException(Check(location));
        return _stores.GetOrAdd(location, l => new Lazy<IModelStore>(() => kind.Create(services, new Uri(l, UriKind.Absolute)))).Value;
    }

    public void Dispose()
    {
        foreach (var store in _stores.Values.Where(s => s.IsValueCreated))
        {
            (store.Value as IDisposable)?.Dispose();
        }
    }
}

/// <summary>Binds a store's settings from <c>ModelServing:{section}</c> of every model serving configuration, unknown keys rejected.</summary>
internal sealed class StoreSettingsSetup<TSettings>(IEnumerable<ModelServingConfiguration> configurations, string section) : IPostConfigureOptions<TSettings>
    where TSettings : class
{
    public void PostConfigure(string? name, TSettings options)
    {
        if (name != Options.DefaultName)
        {
            return;
        }

        foreach (var configuration in configurations)
        {
            var settings = configuration.Section.GetSection(section);
            var unknown = new List<string>();
            ConfigurationKeys.FindUnknown(settings, typeof(TSettings), new HashSet<string>(), unknown);
            if (unknown.Count > 0)
            {
                throw new OptionsValidationException(name, typeof(TSettings), [.. unknown.Select(key => $"'{key}' is not a known setting of {typeof(TSettings).Name}: check its spelling against the configuration reference.")]);
            }

            try
            {
                settings.Bind(options, o => o.ErrorOnUnknownConfiguration = true);
            }
            catch (InvalidOperationException ex)
            {
                throw new OptionsValidationException(name, typeof(TSettings), [$"The store settings '{settings.Path}' are invalid: {ModelServingOptionsSetup.Innermost(ex).Message}"]);
            }
        }
    }
}
