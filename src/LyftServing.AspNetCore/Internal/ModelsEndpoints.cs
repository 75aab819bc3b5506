using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace LyftServing.AspNetCore.Internal;

/// <summary><c>GET /models</c> and <c>GET /models/{model_id}</c>: the status view as JSON.</summary>
internal sealed class ModelsEndpoints(IModelManager manager, ErrorResponder errors, ModelLinks links)
{
    public const string ModelIdRouteValue = "model_id";

    // Field names come from the documents' attributes; the policy only names the fields of
    // metadata objects that model code reports.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = ProblemWriter.WriterOptions.Encoder,
    };

    public Task ListAsync(HttpContext context)
    {
        var list = new ModelList { Models = [.. manager.GetStatus().Select(ModelStatusView.From)] };
        return WriteAsync(context, list);
    }

    public Task GetAsync(HttpContext context, string modelId)
    {
        if (ModelResolver.CheckRouteNames(modelId, version: null) is { } invalid)
        {
            return errors.WriteAsync(context, invalid);
        }

        ModelStatus status;
        try
        {
            status = manager.GetStatus(modelId);
        }
        catch (ModelNotFoundException)
        {
            return errors.WriteAsync(context, ExceptionProblems.NotFound(modelId, links));
        }

        return WriteAsync(context, ModelStatusView.From(status));
    }

    public static async Task WriteAsync<T>(HttpContext context, T document)
    {
        using var buffer = new PooledBufferWriter(4096);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Json.Encoder }))
        {
            JsonSerializer.Serialize(writer, document, Json);
        }

        await JsonAnswer.WriteAsync(context, StatusCodes.Status200OK, buffer).ConfigureAwait(false);
    }
}
