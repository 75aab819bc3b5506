using LyftServing.AspNetCore.Internal.OpenApi;
using Microsoft.AspNetCore.OpenApi;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Describes the served models in the OpenAPI document of <c>AddOpenApi()</c>.</summary>
public static class ModelServingOpenApiOptionsExtensions
{
    /// <summary>
    /// Makes the OpenAPI document describe each served model, from its current primary version:
    /// <c>POST /infer</c> takes one of the per-model requests (chosen by <c>model_id</c>) and answers
    /// the matching per-model response, with each model's features and output schema in the
    /// components (<c>{model}.Features</c>, <c>{model}.Output</c>, <c>{model}.InferenceRequest</c>,
    /// <c>{model}.InferenceResponse</c>) and an example request per model, taken from the first
    /// passing case of its self-tests. Every error answer of the model serving endpoints is
    /// described with the full problem schema (<c>ModelServingProblem</c>: <c>type</c>,
    /// <c>title</c>, <c>status</c>, <c>detail</c>, <c>instance</c>, <c>model_id</c>,
    /// <c>model_version</c>, <c>path</c>, <c>traceId</c>), <c>/infer</c>'s 405 is described, and the
    /// app's health check endpoints (<c>MapHealthChecks</c>) are added.
    /// </summary>
    /// <param name="options">The options of an OpenAPI document, as in <c>AddOpenApi(o => o.AddModelServingDocument())</c>.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <remarks>
    /// Tensor models (features and output <see cref="LyftServing.Tensors"/>) are described from the
    /// primary version's <see cref="LyftServing.ModelSignature"/>: each input and output by name, element
    /// type and shape, as nested arrays. Typed models are described from their .NET types with the
    /// JSON options the model was configured with (<c>ConfigureJson</c>), through
    /// <see cref="System.Text.Json.Schema.JsonSchemaExporter"/>. The document is built for each
    /// request of it, so it follows hot swaps: a new primary with another signature changes it.
    /// </remarks>
    public static OpenApiOptions AddModelServingDocument(this OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.AddDocumentTransformer(new ModelServingDocumentTransformer());
    }
}
