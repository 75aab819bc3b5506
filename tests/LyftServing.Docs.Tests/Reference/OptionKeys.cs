using System.Collections;
using System.Globalization;
using System.Reflection;
using LyftServing.Docs.Tests.Infrastructure;

namespace LyftServing.Docs.Tests.Reference;

/// <summary>
/// The configuration keys an options type binds, found by reflection as the configuration binder
/// finds them (nested option objects as <c>Parent:Child</c>), with their defaults; and checks of a
/// doc's table of keys and defaults against them.
/// </summary>
public static class OptionKeys
{
    /// <summary>The words a doc uses for "no value": the option is null or empty unless set.</summary>
    private static readonly HashSet<string> NoValue = new(StringComparer.Ordinal) { "off", "none", "newest", "—", "-" };

    /// <summary>Gets the keys of an options object (dictionaries left out) and their default values.</summary>
    /// <param name="options">A new options object, holding the defaults.</param>
    /// <param name="prefix">The prefix of the keys.</param>
    /// <returns>Key → (property type, default).</returns>
    public static Dictionary<string, (Type Type, object? Default)> Of(object options, string prefix = "")
    {
        var keys = new Dictionary<string, (Type, object?)>(StringComparer.Ordinal);
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var type = property.PropertyType;
            var value = property.GetValue(options);
            if (typeof(IDictionary).IsAssignableFrom(type) || type.GetInterfaces().Append(type).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>)))
            {
                continue;
            }

            var leaf = type == typeof(string) || type == typeof(Uri) || type.IsValueType || typeof(IEnumerable).IsAssignableFrom(type);
            if (leaf)
            {
                keys[prefix + property.Name] = (type, value);
            }
            else if (value is not null)
            {
                foreach (var (key, entry) in Of(value, $"{prefix}{property.Name}:"))
                {
                    keys[key] = entry;
                }
            }
        }

        return keys;
    }

    /// <summary>
    /// Checks that every key a table names exists with the default it states (a literal in code
    /// quotes, or a word such as "off" or another key's name for "not set"), and, when
    /// <paramref name="complete"/>, that the table names every key.
    /// </summary>
    /// <param name="table">The doc's table.</param>
    /// <param name="keyColumn">The column of the keys.</param>
    /// <param name="keys">The keys of the options type.</param>
    /// <param name="keyPrefix">A prefix the doc writes before every key of this type (for example <c>Models:{name}:</c>); rows without it are left out.</param>
    /// <param name="complete">Whether every key must be in the table.</param>
    /// <param name="ignoredRows">Rows of the table that describe something else (by key).</param>
    /// <returns>The problems found, one a line.</returns>
    public static List<string> Check(DocTable table, string keyColumn, Dictionary<string, (Type Type, object? Default)> keys, string keyPrefix = "", bool complete = true, params string[] ignoredRows)
    {
        var problems = new List<string>();
        var documented = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in table.Rows)
        {
            var cell = table.Cell(row, keyColumn);
            if (ignoredRows.Contains(cell) || !cell.StartsWith(keyPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var key = cell[keyPrefix.Length..];
            documented.Add(key);
            if (!keys.TryGetValue(key, out var option))
            {
                problems.Add($"{table.Where}: '{cell}' is not an option (the options are {string.Join(", ", keys.Keys)}).");
                continue;
            }

            if (Array.IndexOf(table.Header, "default") >= 0)
            {
                var stated = FirstLiteral(row[Array.IndexOf(table.Header, "default")]);
                var problem = CheckDefault(stated, option.Type, option.Default, keys, table.Rows.Select(r => table.Cell(r, keyColumn)));
                if (problem is not null)
                {
                    problems.Add($"{table.Where}: '{cell}' defaults to {problem}");
                }
            }
        }

        if (complete)
        {
            problems.AddRange(keys.Keys.Where(k => !documented.Contains(k)).Select(k => $"{table.Where}: the option '{keyPrefix}{k}' is not in the table."));
        }

        return problems;
    }

    private static string FirstLiteral(string cell)
    {
        var start = cell.IndexOf('`', StringComparison.Ordinal);
        var end = start < 0 ? -1 : cell.IndexOf('`', start + 1);
        return end > start ? cell[(start + 1)..end] : cell.Trim();
    }

    private static string? CheckDefault(string stated, Type type, object? actual, Dictionary<string, (Type, object?)> keys, IEnumerable<string> tableKeys)
    {
        // "off", "none", or the name of the option it falls back to (`StoreRoot`): not set.
        var target = Nullable.GetUnderlyingType(type) ?? type;
        var notSet = actual is null || (actual is IEnumerable items and not string && !items.Cast<object>().Any());
        var namesAnOption = !target.IsEnum && stated.Length > 0 && char.IsUpper(stated[0]) && stated.All(char.IsLetter);
        if (NoValue.Contains(stated) || keys.ContainsKey(stated) || tableKeys.Contains(stated) || namesAnOption)
        {
            return notSet ? null : $"{Format(actual)}, not '{stated}' (no value).";
        }

        object? expected;
        try
        {
            expected = target == typeof(TimeSpan) ? TimeSpan.Parse(stated, CultureInfo.InvariantCulture)
                : target.IsEnum ? Enum.Parse(target, stated)
                : target == typeof(string) ? stated
                : Convert.ChangeType(stated, target, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or ArgumentException or OverflowException)
        {
            return $"{Format(actual)}, but the table says '{stated}', which is not a {target.Name}.";
        }

        return Equals(expected, actual) ? null : $"{Format(actual)}, not {stated}.";
    }

    private static string Format(object? value) => value switch
    {
        null => "nothing (null)",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
