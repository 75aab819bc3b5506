using LyftServing;
using LyftServing.AspNetCore;
using LyftServing.AspNetCore.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the model serving endpoints: <c>POST /infer</c>, <c>GET /models</c> and <c>GET /models/{model_id}</c>.</summary>
public static class ModelServingEndpointRouteBuilderExtensions
{
    private const string OpenApiTag = "Model serving";

    /// <summary>
    /// Maps, on a route group under <paramref name="prefix"/>: <c>POST /infer</c> (call a model with
    /// JSON features), <c>GET /models</c> and <c>GET /models/{model_id}</c> (the status view). Every
    /// error is answered with RFC 7807 problem details whose <c>type</c> is one of
    /// <see cref="ModelServingProblemTypes"/>.
    /// </summary>
    /// <param name="endpoints">The app or another route builder.</param>
    /// <param name="prefix">A route prefix for the group, such as <c>/ml</c>; empty (the default) maps at the root.</param>
    /// <returns>The group's convention builder, to secure or limit every endpoint at once (<c>RequireAuthorization()</c>, <c>RequireRateLimiting(...)</c>, <c>WithRequestTimeout(...)</c>).</returns>
    /// <remarks>
    /// <para>
    /// The endpoints serve whatever <see cref="IModelProvider"/> serves. <see cref="ModelServingHttpOptions"/>
    /// are read and validated here, once. Health checks are separate: add them with
    /// <c>AddHealthChecks().AddModelServingChecks()</c> and map them with <c>MapHealthChecks</c>, so
    /// probes stay outside any authorization the group requires.
    /// </para>
    /// <para>
    /// A request timeout set on the group (<c>WithRequestTimeout</c> with <c>UseRequestTimeouts()</c>)
    /// is answered with 504; a caller that disconnects gets nothing further.
    /// </para>
    /// </remarks>
    /// <exception cref="InvalidOperationException"><c>AddModelServing()</c> was not called on the app's services.</exception>
    /// <exception cref="OptionsValidationException">The <see cref="ModelServingHttpOptions"/> are invalid.</exception>
    public static IEndpointConventionBuilder MapModelServing(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);

        var shared = EndpointServices.Resolve(endpoints, nameof(MapModelServing));
        prefix = EndpointServices.NormalizePrefix(prefix);
        var errors = new ProblemResponder(shared.Logger);
        var infer = new InferEndpoint(shared.Resolver, shared.Reader, shared.Exceptions, errors, shared.Logger, prefix);
        var models = new ModelsEndpoints(shared.Manager, errors, new ModelLinks(prefix + "/models", string.Empty, TraceIdInBody: true));
        var group = endpoints.MapGroup(prefix);

        group.MapPost("/infer", (Func<HttpContext, Task>)infer.InferAsync)
            .WithTags(OpenApiTag)
            .WithSummary("Predicts with a model.")
            .WithDescription("Binds the features to the model's features type and answers with its output. Errors are problem details; 400 answers name the bad field.")
            .Accepts<InferenceRequest>("application/json")
            .Produces<InferenceResponse>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);

        // What the endpoint above does not match: other methods (405; routing's own 405 has no body)
        // and POSTs whose content type its Accepts metadata rules out (415). No method metadata, so
        // it matches any method; Order 1 makes requests the endpoint above matches prefer it.
        group.Map("/infer", infer.HandleUnmatchedAsync)
            .ExcludeFromDescription()
            .Add(static b =>
            {
                if (b is RouteEndpointBuilder route)
                {
                    route.Order = 1;
                }
            });

        group.MapGet("/models", (Func<HttpContext, Task>)models.ListAsync)
            .WithTags(OpenApiTag)
            .WithSummary("Lists the served models and their versions.")
            .Produces<ModelList>(StatusCodes.Status200OK, "application/json");

        group.MapGet($"/models/{{{ModelsEndpoints.ModelIdRouteValue}}}", (HttpContext context, [FromRoute(Name = ModelsEndpoints.ModelIdRouteValue)] string modelId) => models.GetAsync(context, modelId))
            .WithTags(OpenApiTag)
            .WithSummary("Shows one model: its versions, states, self-test results and errors.")
            .Produces<ModelStatusView>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }
}
