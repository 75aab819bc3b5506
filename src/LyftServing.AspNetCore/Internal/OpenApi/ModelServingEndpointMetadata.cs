namespace LyftServing.AspNetCore.Internal.OpenApi;

/// <summary>What a model serving endpoint is, for the OpenAPI description (<see cref="ModelServingDocumentTransformer"/>).</summary>
internal sealed record ModelServingEndpointMetadata(ModelServingEndpointKind Kind);

internal enum ModelServingEndpointKind
{
    /// <summary><c>POST /infer</c>.</summary>
    Infer,

    /// <summary>Another endpoint whose errors are problem details.</summary>
    Other,
}
