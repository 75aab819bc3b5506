using Microsoft.OpenApi;

namespace LyftServing.AspNetCore.Internal.OpenApi;

/// <summary>
/// JSON schemas of named tensors as <c>POST /infer</c> reads and writes them: an object of name →
/// nested array (row-major), one level per dimension, fixed dimensions as exact lengths.
/// </summary>
internal static class TensorSchemas
{
    /// <summary>
    /// Describes the features of a signature's inputs; when its only input names its columns (a
    /// tabular model), also the one-row form <c>/infer</c> takes: an object of column → number.
    /// </summary>
    public static OpenApiSchema DescribeInputs(IReadOnlyList<TensorSpec>? inputs)
    {
        var tensors = Describe(inputs, "input");
        if (inputs is not [{ ColumnNames: { Count: > 0 } columns } input])
        {
            return tensors;
        }

        var row = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = $"One row of {input.Name}, by column name.",
            Required = new HashSet<string>(columns, StringComparer.Ordinal),
            Properties = columns.ToDictionary(c => c, _ => (IOpenApiSchema)new OpenApiSchema { Type = JsonSchemaType.Number }, StringComparer.Ordinal),
            AdditionalPropertiesAllowed = false,
        };
        tensors.Description = $"Rows of {input.Name} as a tensor.";
        return new OpenApiSchema { AnyOf = [tensors, row] };
    }

    /// <summary>Describes the tensors of a signature's outputs.</summary>
    public static OpenApiSchema DescribeOutputs(IReadOnlyList<TensorSpec>? outputs) => Describe(outputs, "output");

    /// <summary>Describes named tensors; without a signature, any object of name → tensor.</summary>
    private static OpenApiSchema Describe(IReadOnlyList<TensorSpec>? specs, string what)
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
