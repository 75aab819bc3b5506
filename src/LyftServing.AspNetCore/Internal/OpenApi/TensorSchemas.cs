using Microsoft.OpenApi;

namespace LyftServing.AspNetCore.Internal.OpenApi;

/// <summary>
/// JSON schemas of named tensors as <c>POST /infer</c> reads and writes them: an object of name →
/// nested array (row-major), one level per dimension, fixed dimensions as exact lengths.
/// </summary>
internal static class TensorSchemas
{
    /// <summary>Describes the tensors of a signature's inputs or outputs; without them, any object of name → tensor.</summary>
    public static OpenApiSchema Describe(IReadOnlyList<TensorSpec>? specs, string what)
    {
        if (specs is null)
        {
            return new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                AdditionalProperties = new OpenApiSchema { Description = $"An {what} tensor: a nested array (one level per dimension) or a single value." },
            };
        }

        var schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string>(StringComparer.Ordinal),
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal),
            AdditionalPropertiesAllowed = false,
        };
        foreach (var spec in specs)
        {
            var tensor = Tensor(spec, 0);
            tensor.Description = $"{spec.Name} ({spec}): a nested array, row-major, one level per dimension{Columns(spec)}.";
            schema.Properties[spec.Name] = tensor;
            schema.Required.Add(spec.Name);
        }

        return schema;
    }

    private static OpenApiSchema Tensor(TensorSpec spec, int dimension)
    {
        if (dimension == spec.Rank)
        {
            return Element(spec.ElementType);
        }

        var size = spec.Dimensions[dimension];
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Array,
            Items = Tensor(spec, dimension + 1),
            MinItems = size >= 0 ? (int)Math.Min(size, int.MaxValue) : 1,
            MaxItems = size >= 0 ? (int)Math.Min(size, int.MaxValue) : null,
        };
    }

    private static OpenApiSchema Element(TensorElementType type) => type switch
    {
        TensorElementType.Float32 => new() { Type = JsonSchemaType.Number, Format = "float" },
        TensorElementType.Float64 => new() { Type = JsonSchemaType.Number, Format = "double" },
        TensorElementType.Int32 => new() { Type = JsonSchemaType.Integer, Format = "int32" },
        TensorElementType.Int64 => new() { Type = JsonSchemaType.Integer, Format = "int64" },
        TensorElementType.Bool => new() { Type = JsonSchemaType.Boolean },
        _ => new() { Type = JsonSchemaType.String },
    };

    private static string Columns(TensorSpec spec) =>
        spec.ColumnNames is { Count: > 0 } columns ? $"; the last dimension's entries are {string.Join(", ", columns)}" : string.Empty;
}
