using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace LyftServing.Internal;

/// <summary>
/// Compares an expected and an actual output: numbers within a tolerance (absolute, or relative to
/// the expected value when that is larger), everything else by deep equality of the JSON form.
/// Shared by self-tests and shadow comparisons.
/// </summary>
internal static class OutputComparer
{
    public static bool AreEquivalent<T>(T expected, T actual, double tolerance, JsonTypeInfo<T> typeInfo, out string? difference)
    {
        // Numbers without boxing: the JIT removes every branch but the one of T.
        if (typeof(T) == typeof(double))
        {
            return NumbersMatch("$", Unsafe.As<T, double>(ref expected), Unsafe.As<T, double>(ref actual), tolerance, out difference);
        }

        if (typeof(T) == typeof(float))
        {
            return NumbersMatch("$", Unsafe.As<T, float>(ref expected), Unsafe.As<T, float>(ref actual), tolerance, out difference);
        }

        if (typeof(T) == typeof(int))
        {
            return NumbersMatch("$", Unsafe.As<T, int>(ref expected), Unsafe.As<T, int>(ref actual), tolerance, out difference);
        }

        if (typeof(T) == typeof(long))
        {
            return NumbersMatch("$", Unsafe.As<T, long>(ref expected), Unsafe.As<T, long>(ref actual), tolerance, out difference);
        }

        if (typeof(T) == typeof(decimal))
        {
            return NumbersMatch("$", (double)Unsafe.As<T, decimal>(ref expected), (double)Unsafe.As<T, decimal>(ref actual), tolerance, out difference);
        }

        var expectedJson = JsonSerializer.SerializeToElement(expected, typeInfo);
        var actualJson = JsonSerializer.SerializeToElement(actual, typeInfo);
        return JsonMatch("$", expectedJson, actualJson, tolerance, out difference);
    }

    public static bool JsonMatch(string path, JsonElement expected, JsonElement actual, double tolerance, out string? difference)
    {
        if (expected.ValueKind != actual.ValueKind
            && !(expected.ValueKind is JsonValueKind.True or JsonValueKind.False && actual.ValueKind is JsonValueKind.True or JsonValueKind.False))
        {
            difference = $"{path}: expected {Show(expected)}, got {Show(actual)}";
            return false;
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.Number:
                return NumbersMatch(path, expected.GetDouble(), actual.GetDouble(), tolerance, out difference);
            case JsonValueKind.Array:
                var expectedLength = expected.GetArrayLength();
                var actualLength = actual.GetArrayLength();
                if (expectedLength != actualLength)
                {
                    difference = $"{path}: expected {expectedLength} items, got {actualLength}";
                    return false;
                }

                var index = 0;
                using (var e = expected.EnumerateArray())
                using (var a = actual.EnumerateArray())
                {
                    while (e.MoveNext() && a.MoveNext())
                    {
                        if (!JsonMatch($"{path}[{index}]", e.Current, a.Current, tolerance, out difference))
                        {
                            return false;
                        }

                        index++;
                    }
                }

                difference = null;
                return true;
            case JsonValueKind.Object:
                foreach (var property in expected.EnumerateObject())
                {
                    if (!actual.TryGetProperty(property.Name, out var actualValue))
                    {
                        difference = $"{path}.{property.Name}: expected {Show(property.Value)}, got nothing";
                        return false;
                    }

                    if (!JsonMatch($"{path}.{property.Name}", property.Value, actualValue, tolerance, out difference))
                    {
                        return false;
                    }
                }

                foreach (var property in actual.EnumerateObject())
                {
                    if (!expected.TryGetProperty(property.Name, out _))
                    {
                        difference = $"{path}.{property.Name}: expected nothing, got {Show(property.Value)}";
                        return false;
                    }
                }

                difference = null;
                return true;
            case JsonValueKind.String:
                if (expected.ValueEquals(actual.GetString()))
                {
                    difference = null;
                    return true;
                }

                difference = $"{path}: expected {Show(expected)}, got {Show(actual)}";
                return false;
            default:
                // true/false/null: the kinds carry the value.
                if (expected.ValueKind == actual.ValueKind)
                {
                    difference = null;
                    return true;
                }

                difference = $"{path}: expected {Show(expected)}, got {Show(actual)}";
                return false;
        }
    }

    private static bool NumbersMatch(string path, double expected, double actual, double tolerance, out string? difference)
    {
        var delta = Math.Abs(expected - actual);
        if (expected.Equals(actual) || delta <= tolerance || delta <= tolerance * Math.Abs(expected))
        {
            difference = null;
            return true;
        }

        difference = string.Create(CultureInfo.InvariantCulture, $"{path}: expected {expected:R}, got {actual:R} (difference {delta:G3}, tolerance {tolerance:G3})");
        return false;
    }

    private static string Show(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");
    }
}
