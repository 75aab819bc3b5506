using LyftServing;
using LyftServing.AspNetCore;
using LyftServing.AspNetCore.Internal;
using LyftServing.AspNetCore.Internal.OpenApi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
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
            .WithMetadata(new ModelServingEndpointMetadata(ModelServingEndpointKind.Infer))
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
            .WithMetadata(new ModelServingEndpointMetadata(ModelServingEndpointKind.Other))
            .WithSummary("Lists the served models and their versions.")
            .Produces<ModelList>(StatusCodes.Status200OK, "application/json");

        group.MapGet($"/models/{{{ModelsEndpoints.ModelIdRouteValue}}}", (HttpContext context, [FromRoute(Name = ModelsEndpoints.ModelIdRouteValue)] string modelId) => models.GetAsync(context, modelId))
            .WithTags(OpenApiTag)
            .WithMetadata(new ModelServingEndpointMetadata(ModelServingEndpointKind.Other))
            .WithSummary("Shows one model: its versions, states, self-test results and errors.")
            .Produces<ModelStatusView>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    /// <summary>
    /// Maps the Open Inference Protocol v2 over HTTP/REST (KServe's protocol, which Triton,
    /// KServe/MLServer, Seldon and their clients speak) on a route group under <paramref name="prefix"/>:
    /// <c>GET /v2</c>, <c>GET /v2/health/live</c>, <c>GET /v2/health/ready</c>,
    /// <c>GET /v2/models/{name}[/versions/{version}]</c> (metadata from the version's signature),
    /// <c>GET /v2/models/{name}[/versions/{version}]/ready</c> and
    /// <c>POST /v2/models/{name}[/versions/{version}]/infer</c>. Every model whose features and output
    /// are <see cref="Tensors"/> is served, whatever its runtime; errors are the protocol's
    /// <c>{"error": "…"}</c>.
    /// </summary>
    /// <param name="endpoints">The app or another route builder.</param>
    /// <param name="prefix">A route prefix for the group; empty (the default) maps <c>/v2</c> at the root.</param>
    /// <returns>The group's convention builder, to secure or limit every endpoint at once.</returns>
    /// <remarks>
    /// Requests are read with the same limits as <c>POST /infer</c> (<see cref="ModelServingHttpOptions"/>):
    /// body size, nesting depth, UTF-8. Tensor <c>data</c> may be flat (row-major) or nested; its
    /// number of values must be the product of <c>shape</c>. Datatypes BOOL, INT8 to INT64, UINT8 to
    /// UINT64, FP32, FP64 and BYTES (as JSON strings) are read; the model converts numbers to its
    /// inputs' element types. The answer echoes the request's <c>id</c> and <c>parameters</c>.
    /// <c>GET /v2</c> lists <c>model_repository</c> in <c>extensions</c> when <c>MapModelServingAdmin()</c>
    /// maps the repository extension under the same <c>/v2</c>, whichever is mapped first.
    /// </remarks>
    /// <exception cref="InvalidOperationException"><c>AddModelServing()</c> was not called on the app's services.</exception>
    /// <exception cref="OptionsValidationException">The <see cref="ModelServingHttpOptions"/> are invalid.</exception>
    public static IEndpointConventionBuilder MapOpenInferenceProtocol(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);

        var shared = EndpointServices.Resolve(endpoints, nameof(MapOpenInferenceProtocol));
        prefix = EndpointServices.NormalizePrefix(prefix);
        var oip = new OpenInferenceEndpoints(shared, prefix);
        var errors = new OpenInferenceErrorResponder(shared.Logger);
        var group = endpoints.MapGroup(prefix + "/v2");
        group.WithTags("Open Inference Protocol").ExcludeFromDescription();

        const string Model = $"/models/{{{OpenInferenceEndpoints.NameRouteValue}}}";
        const string Version = $"{Model}/versions/{{{OpenInferenceEndpoints.VersionRouteValue}}}";
        MapMethod(group, "", HttpMethods.Get, OpenInferenceEndpoints.ServerMetadataAsync, errors);
        MapMethod(group, "/health/live", HttpMethods.Get, OpenInferenceEndpoints.LiveAsync, errors);
        MapMethod(group, "/health/ready", HttpMethods.Get, oip.ReadyAsync, errors);
        foreach (var pattern in new[] { Model, Version })
        {
            MapMethod(group, pattern, HttpMethods.Get, c => oip.ModelMetadataAsync(c, Name(c), VersionOf(c)), errors);
            MapMethod(group, pattern + "/ready", HttpMethods.Get, c => oip.ModelReadyAsync(c, Name(c), VersionOf(c)), errors);
            MapMethod(group, pattern + "/infer", HttpMethods.Post, c => oip.InferAsync(c, Name(c), VersionOf(c)), errors);
        }

        return group;

        static string Name(HttpContext context) => (string)context.Request.RouteValues[OpenInferenceEndpoints.NameRouteValue]!;

        static string? VersionOf(HttpContext context) => context.Request.RouteValues[OpenInferenceEndpoints.VersionRouteValue] as string;
    }

    /// <summary>
    /// Maps the operators' endpoints on a route group under <paramref name="prefix"/>, secured by
    /// the authorization policy <paramref name="policyName"/>: <c>POST {prefix}/models/{model_id}/versions/{version}/</c>
    /// <c>promote</c>, <c>pin</c>, <c>load</c>, <c>unload</c> and <c>shadow</c> (optional body
    /// <c>{"sample_rate": 0.1}</c>), <c>DELETE …/versions/{version}/shadow</c>, and
    /// <c>POST {prefix}/models/{model_id}/</c><c>rollback</c>, <c>unpin</c> and <c>refresh</c>; and the
    /// Open Inference Protocol's model repository extension: <c>POST /v2/repository/index</c>,
    /// <c>POST /v2/repository/models/{name}/load</c> (checks the store now) and <c>…/unload</c> (409: a
    /// served model keeps its primary; unload versions instead).
    /// Each runs an <see cref="IModelManager"/> operation, so the decision is recorded in the
    /// model's store, and answers the model's status view (as <c>GET /models/{model_id}</c>).
    /// </summary>
    /// <param name="endpoints">The app or another route builder.</param>
    /// <param name="policyName">
    /// The authorization policy a caller must satisfy, registered with
    /// <c>AddAuthorization(o => o.AddPolicy(...))</c> (for example one requiring a role of model operators).
    /// </param>
    /// <param name="prefix">The route prefix of the group; <c>/admin</c> by default.</param>
    /// <returns>The convention builder of both groups (rate limits, timeouts, further policies).</returns>
    /// <remarks>
    /// The admin surface is never open: a policy is required and must be registered, or this
    /// method throws at start-up. Errors are problem details: 400 for an invalid name, 404 for an
    /// unknown model or version, 409 for a conflict (nothing to roll back to, the primary cannot be
    /// unloaded or shadowed), 422 for a version that fails to load or its self-tests (the primary
    /// keeps serving), 503 when the store cannot record the decision. Every action is logged (event
    /// 107) with the user who asked for it and the status answered.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="policyName"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">Authorization is not set up, or no policy named <paramref name="policyName"/> is registered; or <c>AddModelServing()</c> was not called.</exception>
    public static IEndpointConventionBuilder MapModelServingAdmin(this IEndpointRouteBuilder endpoints, string policyName, string prefix = "/admin")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(policyName);
        ArgumentNullException.ThrowIfNull(prefix);

        var shared = EndpointServices.Resolve(endpoints, nameof(MapModelServingAdmin));
        const string HowTo = "builder.Services.AddAuthentication().AddJwtBearer(); builder.Services.AddAuthorization(o => o.AddPolicy(\"model-operators\", p => p.RequireRole(\"model-operator\"))); then app.MapModelServingAdmin(\"model-operators\")";
        var policies = endpoints.ServiceProvider.GetService<IAuthorizationPolicyProvider>()
            ?? throw new InvalidOperationException($"MapModelServingAdmin() needs authorization, so that the admin endpoints are never open: {HowTo}.");
        if (policies.GetPolicyAsync(policyName).GetAwaiter().GetResult() is null)
        {
            throw new InvalidOperationException($"MapModelServingAdmin() needs the authorization policy '{policyName}', which is not registered: {HowTo}.");
        }

        prefix = EndpointServices.NormalizePrefix(prefix);
        var admin = new AdminEndpoints(shared, new ModelLinks(null, "name a loaded version", TraceIdInBody: true), prefix);

        // One group carries the policy: the admin actions under the prefix, and the Open Inference
        // Protocol's model repository extension where the protocol's clients look for it.
        var secured = endpoints.MapGroup(string.Empty);
        secured.RequireAuthorization(policyName);
        var group = secured.MapGroup(prefix);
        group.WithTags("Model serving admin").WithMetadata(new AuthorizationAnswers(admin.Errors));

        const string Model = $"/models/{{{AdminEndpoints.ModelIdRouteValue}}}";
        const string Version = $"{Model}/versions/{{{AdminEndpoints.VersionRouteValue}}}";
        Describe(group.MapPost(Version + "/promote", (Func<HttpContext, Task>)admin.PromoteAsync), "Makes a version the primary until a newer one is published; recorded in the store.");
        Describe(group.MapPost(Version + "/pin", (Func<HttpContext, Task>)admin.PinAsync), "Pins a version as the primary until unpinned; recorded in the store.");
        Describe(group.MapPost(Version + "/load", (Func<HttpContext, Task>)admin.LoadAsync), "Loads a version beside the primary (callable by name).");
        Describe(group.MapPost(Version + "/unload", (Func<HttpContext, Task>)admin.UnloadAsync), "Retires a loaded version that is not the primary: drained, then disposed.");
        Describe(group.MapPost(Version + "/shadow", (Func<HttpContext, Task>)admin.SetShadowAsync), "Makes a version a shadow of the primary; optional body {\"sample_rate\": 0.1}.");
        Describe(group.MapDelete(Version + "/shadow", (Func<HttpContext, Task>)admin.ClearShadowAsync), "Removes a shadow: retired and recorded as switched off.");
        Describe(group.MapPost(Model + "/rollback", (Func<HttpContext, Task>)admin.RollBackAsync), "Promotes the version that was primary before the current one.");
        Describe(group.MapPost(Model + "/unpin", (Func<HttpContext, Task>)admin.UnpinAsync), "Clears the operator's decision: the configured version policy applies again.");
        Describe(group.MapPost(Model + "/refresh", (Func<HttpContext, Task>)admin.RefreshAsync), "Checks the model's store now.");

        var repository = secured.MapGroup("/v2/repository");
        repository.WithTags("Open Inference Protocol").ExcludeFromDescription().WithMetadata(new AuthorizationAnswers(admin.ProtocolErrors), OpenInferenceExtension.ModelRepository);
        repository.MapPost("/index", admin.RepositoryIndexAsync);
        repository.MapPost(Model + "/load", admin.RepositoryLoadAsync);
        repository.MapPost(Model + "/unload", admin.RepositoryUnloadAsync);
        return secured;

        static void Describe(RouteHandlerBuilder endpoint, string summary) => endpoint
            .WithSummary(summary)
            .WithMetadata(new ModelServingEndpointMetadata(ModelServingEndpointKind.Other))
            .Produces<ModelStatusView>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>Maps one method on a pattern, and a 405 in the protocol's error format for the others (routing's own 405 has no body).</summary>
    private static void MapMethod(RouteGroupBuilder group, string pattern, string method, RequestDelegate handler, ErrorResponder errors)
    {
        group.MapMethods(pattern, [method], handler);
        group.Map(pattern, context => errors.WriteAsync(context, new HttpProblem(
                Problems.MethodNotAllowed,
                $"{JsonRequestReader.Echo(context.Request.Method)} is not allowed on {context.Request.Path}: send {method}.")
            { Allow = method }))
            .Add(static b =>
            {
                if (b is RouteEndpointBuilder route)
                {
                    // Requests the endpoint above matches prefer it.
                    route.Order = 1;
                }
            });
    }
}
