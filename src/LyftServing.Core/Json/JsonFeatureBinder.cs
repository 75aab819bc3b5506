using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace LyftServing.Internal;

/// <summary>
/// Binds JSON features to a features type and turns System.Text.Json's failures into messages a
/// caller can act on: the JSON path and what was expected there, without .NET type internals.
/// </summary>
internal static class JsonFeatureBinder
{
    /// <summary>Binds features; every path in an error is rooted at <paramref name="featuresPath"/> (such as <c>$.features</c>).</summary>
    public static T Bind<T>(string modelName, JsonElement features, string featuresPath, JsonTypeInfo<T> typeInfo)
    {
        if (features.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            throw Error(modelName, featuresPath, featuresPath, $"Model '{modelName}' needs features ({Describe(typeInfo)}) at '{featuresPath}', not null.");
        }

        if (typeof(T) == typeof(Tensors))
        {
            // Tensors are read with paths rooted where the caller's features are.
            return (T)(object)BindTensors(modelName, features, featuresPath, typeInfo.Options);
        }

        T? value;
        try
        {
            value = features.Deserialize(typeInfo);
        }
        catch (JsonException ex)
        {
            var path = ex.Path ?? "$";
            throw Error(modelName, featuresPath, Rebase(featuresPath, path), Explain(modelName, ex, path, featuresPath, typeInfo), ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or FormatException or OverflowException or ArgumentException)
        {
            // Thrown by a converter or a constructor of the features type on a bad value.
            throw Error(modelName, featuresPath, featuresPath, $"The features at '{featuresPath}' do not fit model '{modelName}': {ex.Message}", ex);
        }

        return value is null
            ? throw Error(modelName, featuresPath, featuresPath, $"Model '{modelName}' needs features ({Describe(typeInfo)}) at '{featuresPath}', not null.")
            : value;
    }

    private static Tensors BindTensors(string modelName, JsonElement features, string featuresPath, JsonSerializerOptions options)
    {
        try
        {
            // Walks the caller's parsed document: the text is not tokenized a second time.
            return TensorJson.ReadTensors(features, featuresPath, options);
        }
        catch (TensorJsonException ex)
        {
            throw Error(modelName, featuresPath, ex.Path!, ex.Message, ex);
        }
    }

    /// <summary>An error whose paths start at <paramref name="featuresPath"/>.</summary>
    private static ModelFeaturesException Error(string modelName, string featuresPath, string path, string message, Exception? innerException = null) =>
        new(modelName, path, message, problem: null, featuresPath, innerException);

    /// <summary>A path relative to the features (<c>$.trip.stops[2]</c>), rooted at <paramref name="featuresPath"/>.</summary>
    private static string Rebase(string featuresPath, string path) => featuresPath == "$" ? path : featuresPath + path[1..];

    private static string Explain(string modelName, JsonException ex, string relativePath, string featuresPath, JsonTypeInfo root)
    {
        var path = Rebase(featuresPath, relativePath);
        var message = ex.Message;
        if (ex is TensorJsonException)
        {
            // Tensors nested in a features type: the converter's message names the path from the tensor's root.
            return $"'{path}' is invalid: {message}";
        }

        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            var parent = Resolve(root, ParentPath(relativePath));
            var known = parent?.Kind == JsonTypeInfoKind.Object
                ? string.Join(", ", parent.Properties.Select(p => p.Name))
                : null;
            return $"'{path}' is not a feature of model '{modelName}'" + (known is null ? "." : $"; expected only: {known}.");
        }

        if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            var target = Resolve(root, relativePath);
            var required = target?.Properties.Where(p => p.IsRequired).Select(p => p.Name).ToArray() ?? [];
            return required.Length == 0
                ? $"'{path}' is missing required features."
                : $"'{path}' is missing required features; required: {string.Join(", ", required)}.";
        }

        if (message.StartsWith("The JSON value could not be converted to", StringComparison.Ordinal))
        {
            var expected = Resolve(root, relativePath);
            return expected is null ? $"'{path}' has a value of the wrong type." : $"'{path}' must be {Describe(expected)}.";
        }

        if (message.StartsWith("it is ", StringComparison.Ordinal))
        {
            // Our number converters' messages, such as "it is out of range: …".
            return $"'{path}' {message[3..]}";
        }

        // System.Text.Json appends " Path: …" to its own messages (malformed JSON, the depth
        // limit); a converter of the features type writes its message for the caller.
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return $"'{path}' is invalid: {(end < 0 ? message : message[..end])}";
    }

    /// <summary>Follows a JSON path such as <c>$.trip.stops[2].lat</c> through the contract of the root type.</summary>
    private static JsonTypeInfo? Resolve(JsonTypeInfo root, string path)
    {
        var current = root;
        var i = 1; // skip '$'
        while (current is not null && i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                var name = end < 0 ? path[(i + 1)..] : path[(i + 1)..end];
                i = end < 0 ? path.Length : end;
                current = FindProperty(current, name);
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0)
                {
                    return null;
                }

                var inside = path[(i + 1)..end];
                i = end + 1;
                if (inside.StartsWith('\''))
                {
                    current = FindProperty(current, inside.Trim('\''));
                }
                else
                {
                    current = current.ElementType is { } element ? current.Options.GetTypeInfo(element) : null;
                }
            }
            else
            {
                return null;
            }
        }

        return current;
    }

    private static JsonTypeInfo? FindProperty(JsonTypeInfo owner, string name)
    {
        if (owner.Kind == JsonTypeInfoKind.Dictionary && owner.ElementType is { } valueType)
        {
            return owner.Options.GetTypeInfo(valueType);
        }

        var comparison = owner.Options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var property = owner.Properties.FirstOrDefault(p => string.Equals(p.Name, name, comparison));
        return property is null ? null : owner.Options.GetTypeInfo(property.PropertyType);
    }

    private static string ParentPath(string path)
    {
        var cut = path.LastIndexOfAny(['.', '[']);
        return cut <= 0 ? "$" : path[..cut];
    }

    public static string Describe(JsonTypeInfo info)
    {
        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        var kind = info.Kind switch
        {
            JsonTypeInfoKind.Object => "an object",
            JsonTypeInfoKind.Enumerable => "an array",
            JsonTypeInfoKind.Dictionary => "an object",
            _ => null,
        };
        if (kind is not null)
        {
            return kind;
        }

        return Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => "true or false",
            TypeCode.String or TypeCode.Char => "a string",
            TypeCode.Byte => "an integer from 0 to 255",
            TypeCode.SByte => "an integer from -128 to 127",
            TypeCode.Int16 => "an integer from -32768 to 32767",
            TypeCode.UInt16 => "an integer from 0 to 65535",
            TypeCode.Int32 => "an integer from -2147483648 to 2147483647",
            TypeCode.UInt32 => "an integer from 0 to 4294967295",
            TypeCode.Int64 => "an integer from -9223372036854775808 to 9223372036854775807",
            TypeCode.UInt64 => "an integer from 0 to 18446744073709551615",
            TypeCode.Single => "a number (32-bit float)",
            TypeCode.Double => "a number",
            TypeCode.Decimal => "a decimal number",
            TypeCode.DateTime => "a date-time string (ISO 8601)",
            _ when type.IsEnum => $"one of: {string.Join(", ", Enum.GetNames(type))}",
            _ when type == typeof(DateTimeOffset) => "a date-time string (ISO 8601)",
            _ when type == typeof(Guid) => "a GUID string",
            _ when type == typeof(TimeSpan) => "a time span string (such as \"00:01:30\")",
            _ => "a valid value",
        };
    }
}
