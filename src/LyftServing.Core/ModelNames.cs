using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace LyftServing;

/// <summary>
/// The rule for model and version names: <c>^[a-z0-9][a-z0-9_.-]{0,127}$</c>. Names become
/// folder names in a model store, so the rule keeps any name from walking out of the store's root.
/// </summary>
public static class ModelNames
{
    /// <summary>The longest name allowed, in characters.</summary>
    public const int MaxLength = 128;

    /// <summary>The rule, as a regular expression, for messages and documentation.</summary>
    public const string Pattern = "^[a-z0-9][a-z0-9_.-]{0,127}$";

    /// <summary>Returns whether <paramref name="name"/> is a valid model or version name.</summary>
    /// <param name="name">The name to check.</param>
    /// <returns><see langword="true"/> when the name matches <see cref="Pattern"/>.</returns>
    public static bool IsValid([NotNullWhen(true)] string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || !IsLowerAlphanumeric(name[0]))
        {
            return false;
        }

        foreach (var c in name.AsSpan(1))
        {
            if (!IsLowerAlphanumeric(c) && c is not ('_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws when <paramref name="name"/> is not a valid model or version name.</summary>
    /// <param name="name">The name to check.</param>
    /// <param name="paramName">The parameter's name, for the exception.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> does not match <see cref="Pattern"/>; the message says what is allowed.</exception>
    public static void ThrowIfInvalid([NotNull] string? name, [CallerArgumentExpression(nameof(name))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        if (!IsValid(name))
        {
            throw new ArgumentException(Describe(name), paramName);
        }
    }

    internal static string Describe(string name) =>
        $"'{name}' is not a valid name: use 1 to {MaxLength} characters of lowercase letters, digits, '_', '.' and '-', starting with a letter or digit ({Pattern}).";

    private static bool IsLowerAlphanumeric(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}
