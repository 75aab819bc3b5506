using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace LyftServing.Internal;

/// <summary>
/// Finds configuration keys that bind to nothing, by their full path (<c>ModelServing:Models:fare:Verison</c>),
/// before the binder runs: its own error names the options type, not the key the operator mistyped.
/// </summary>
internal static class ConfigurationKeys
{
    /// <param name="section">The configuration of an object of <paramref name="type"/>.</param>
    /// <param name="type">The options type.</param>
    /// <param name="settingsSections">Per-model sections bound elsewhere (<c>AddModelSettings</c>), skipped under each model.</param>
    /// <param name="unknown">Receives the paths of keys that match no property.</param>
    /// <param name="boundElsewhere">Keys directly under <paramref name="section"/> that other options bind (a store's settings), skipped.</param>
    public static void FindUnknown(IConfiguration section, Type type, IReadOnlySet<string> settingsSections, List<string> unknown, IReadOnlySet<string>? boundElsewhere = null)
    {
        foreach (var child in section.GetChildren())
        {
            if (boundElsewhere?.Contains(child.Key) == true)
            {
                continue;
            }

            var property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null)
            {
                if (!(type == typeof(ModelOptions) && settingsSections.Contains(child.Key)))
                {
                    unknown.Add(child.Path);
                }

                continue;
            }

            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (Dictionary(propertyType) is { } values)
            {
                foreach (var entry in child.GetChildren())
                {
                    Check(entry, values, settingsSections, unknown);
                }
            }
            else if (propertyType != typeof(string) && typeof(IEnumerable).IsAssignableFrom(propertyType))
            {
                var item = propertyType.IsGenericType ? propertyType.GetGenericArguments()[0] : typeof(object);
                foreach (var entry in child.GetChildren())
                {
                    Check(entry, item, settingsSections, unknown);
                }
            }
            else
            {
                Check(child, propertyType, settingsSections, unknown);
            }
        }
    }

    private static void Check(IConfigurationSection section, Type type, IReadOnlySet<string> settingsSections, List<string> unknown)
    {
        if (IsComplex(type))
        {
            FindUnknown(section, type, settingsSections, unknown);
        }
        else
        {
            // A value has no keys under it.
            unknown.AddRange(section.GetChildren().Select(c => c.Path));
        }
    }

    private static bool IsComplex(Type type) =>
        type.IsClass && type != typeof(string) && type != typeof(object) && !typeof(IEnumerable).IsAssignableFrom(type);

    private static Type? Dictionary(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(IDictionary<,>) || definition == typeof(Dictionary<,>))
            ? type.GetGenericArguments()[1]
            : null;
}
