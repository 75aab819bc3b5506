using System.Text.Json;
using System.Text.Json.Serialization;
using LyftServing.Internal;

namespace LyftServing;

/// <summary>
/// How features and outputs are bound from and written to JSON (by <see cref="IJsonModelClient"/>,
/// <c>testdata.json</c> and the HTTP endpoint). Change it with <c>ConfigureJson</c>.
/// </summary>
/// <remarks>
/// The defaults are strict, so that a caller's mistake is an error rather than a silent default:
/// web naming (camelCase, case-insensitive), unknown properties rejected, nullable annotations and
/// required constructor parameters respected, numbers only as JSON numbers and within their type's
/// range (<c>1e400</c> is an error for a <see cref="double"/>, not infinity), depth at most 32.
/// </remarks>
public sealed class ModelJsonOptions
{
    /// <summary>Gets the serializer options.</summary>
    public JsonSerializerOptions SerializerOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        NumberHandling = JsonNumberHandling.Strict,
        MaxDepth = 32,
        Converters = { new FiniteDoubleConverter(), new FiniteSingleConverter() },
    };
}
