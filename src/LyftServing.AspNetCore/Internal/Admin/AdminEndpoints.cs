using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace LyftServing.AspNetCore.Internal;

/// <summary>
/// The operators' endpoints (<c>MapModelServingAdmin()</c>): promote, roll back, pin, unpin,
/// refresh, load, unload, and set or clear a shadow, over <see cref="IModelManager"/>, so each
/// decision is recorded in the model's store. Each answers the model's status view after the
/// action; every error is a problem details answer from the shared <see cref="ExceptionProblems"/>
/// (409 conflicts, 404 unknown model or version, 400 bad names, 422 a version that failed to
/// load), never a 500 for an operator's mistake; every action is logged with who asked for it.
/// </summary>
/// <remarks>One instance per mapped group; thread-safe.</remarks>
internal sealed class AdminEndpoints(EndpointServices shared, ModelLinks links, string prefix)
{
    public const string ModelIdRouteValue = "model_id";
    public const string VersionRouteValue = "version";

    private static readonly RequestShape ShadowShape = new("{\"sample_rate\": 0.1}", "send a flat object");

    private static readonly RequestShape IndexShape = new("{\"ready\": true}", "send a flat object");

    /// <summary>Gets the problem details writer of the actions under the prefix (also of their 401 and 403, <see cref="AuthorizationAnswers"/>).</summary>
    public ErrorResponder Errors { get; } = new ProblemResponder(shared.Logger);

    /// <summary>Gets the protocol's error writer of the repository extension.</summary>
    public ErrorResponder ProtocolErrors { get; } = new OpenInferenceErrorResponder(shared.Logger);

    /// <summary>
    /// The Open Inference Protocol's model repository extension, <c>POST /v2/repository/index</c>:
    /// every model's versions with their state (<c>READY</c>, <c>LOADING</c>, <c>UNAVAILABLE</c>)
    /// and the reason of a failure; an optional body <c>{"ready": true}</c> lists only ready versions.
    /// </summary>
    public async Task RepositoryIndexAsync(HttpContext context)
    {
        using var body = await shared.Reader.ReadAsync(context, IndexShape, optional: true).ConfigureAwait(false);
        if (body.IsAborted)
        {
            return;
        }

        var problem = body.Problem;
        var readyOnly = false;
        if (problem is null && body.Document is { } document)
        {
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.NameEquals("ready"u8) && property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    readyOnly = property.Value.GetBoolean();
                }
                else if (!property.NameEquals("ready"u8))
                {
                    continue;
                }
                else
                {
                    problem = new HttpProblem(Problems.InvalidRequest, $"'ready' must be true or false, as in {IndexShape.Example}.");
                }
            }
        }

        if (problem is not null)
        {
            await ProtocolErrors.WriteAsync(context, problem).ConfigureAwait(false);
            return;
        }

        using var buffer = new PooledBufferWriter(1024);
        using (var writer = new Utf8JsonWriter(buffer, ProblemWriter.WriterOptions))
        {
            writer.WriteStartArray();
            foreach (var model in shared.Manager.GetStatus())
            {
                foreach (var version in model.Versions)
                {
                    var state = version.State switch
                    {
                        ModelVersionState.Ready => "READY",
                        ModelVersionState.Loading or ModelVersionState.SelfTesting => "LOADING",
                        _ => "UNAVAILABLE",
                    };
                    if (readyOnly && state != "READY")
                    {
                        continue;
                    }

                    writer.WriteStartObject();
                    writer.WriteString("name"u8, model.Name);
                    writer.WriteString("version"u8, version.Version);
                    writer.WriteString("state"u8, state);
                    writer.WriteString("reason"u8, version.Error?.Message ?? (version.State == ModelVersionState.Draining ? "draining" : string.Empty));
                    writer.WriteEndObject();
                }
            }

            writer.WriteEndArray();
        }

        await JsonAnswer.WriteAsync(context, StatusCodes.Status200OK, buffer).ConfigureAwait(false);
    }

    /// <summary>The repository extension's load: checks the model's store now (what the store and the operator's decisions say is loaded); 200 with no body.</summary>
    public async Task RepositoryLoadAsync(HttpContext context)
    {
        if (Resolve(context, withVersion: false, out var model, out _) is { } invalid)
        {
            await AnswerAsync(context, "repository load", model, null, invalid, ProtocolErrors).ConfigureAwait(false);
            return;
        }

        try
        {
            await shared.Manager.RefreshAsync(model, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (shared.Exceptions.ForOperation(context, ex, "repository load", model, null, links) is { } failed)
            {
                await AnswerAsync(context, "repository load", model, null, failed, ProtocolErrors).ConfigureAwait(false);
            }

            return;
        }

        Log.AdminAction(shared.Logger, User(context), "repository load", model, null, StatusCodes.Status200OK);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentLength = 0;
    }

    /// <summary>The repository extension's unload: a served model keeps its primary version, so this is a 409 saying what to do instead.</summary>
    public Task RepositoryUnloadAsync(HttpContext context)
    {
        var problem = Resolve(context, withVersion: false, out var model, out _)
            ?? new HttpProblem(
                Problems.ModelCannotBeUnloaded,
                $"Model '{model}' is served here and always keeps a primary version, so it cannot be unloaded: unload its other versions with POST {prefix}/models/{model}/versions/{{version}}/unload.",
                model);
        return AnswerAsync(context, "repository unload", model, null, problem, ProtocolErrors);
    }

    public Task PromoteAsync(HttpContext context) =>
        RunAsync(context, "promotion", withVersion: true, static (m, model, version, ct) => m.PromoteAsync(model, version!, ct));

    public Task PinAsync(HttpContext context) =>
        RunAsync(context, "pin", withVersion: true, static (m, model, version, ct) => m.PinAsync(model, version!, ct));

    public Task LoadAsync(HttpContext context) =>
        RunAsync(context, "load", withVersion: true, static (m, model, version, ct) => m.LoadVersionAsync(model, version!, ct));

    public Task UnloadAsync(HttpContext context) =>
        RunAsync(context, "unload", withVersion: true, static (m, model, version, ct) => m.UnloadVersionAsync(model, version!, ct));

    public Task UnpinAsync(HttpContext context) =>
        RunAsync(context, "unpin", withVersion: false, static (m, model, _, ct) => m.UnpinAsync(model, ct));

    public Task RefreshAsync(HttpContext context) =>
        RunAsync(context, "refresh", withVersion: false, static (m, model, _, ct) => m.RefreshAsync(model, ct));

    public Task RollBackAsync(HttpContext context) =>
        RunAsync(context, "rollback", withVersion: false, static (m, model, _, ct) => m.RollBackAsync(model, ct));

    /// <summary>Clears a shadow: the version is retired and recorded as switched off.</summary>
    public Task ClearShadowAsync(HttpContext context) =>
        RunAsync(context, "shadow removal", withVersion: true, static (m, model, version, ct) => m.UnloadVersionAsync(model, version!, ct));

    /// <summary>Sets a shadow; an optional body <c>{"sample_rate": 0.1}</c> (read by the shared reader) sets its sample rate.</summary>
    public async Task SetShadowAsync(HttpContext context)
    {
        // The resource before the body: an unknown model is a 404 whatever the body is.
        if (Resolve(context, withVersion: true, out var model, out var version) is { } invalid)
        {
            await AnswerAsync(context, "shadow", model, version, invalid).ConfigureAwait(false);
            return;
        }

        using var body = await shared.Reader.ReadAsync(context, ShadowShape, optional: true).ConfigureAwait(false);
        if (body.Problem is { } rejected)
        {
            await AnswerAsync(context, "shadow", model, version, rejected).ConfigureAwait(false);
            return;
        }

        if (body.IsAborted)
        {
            return;
        }

        double? sampleRate = null;
        if (body.Document is { } document)
        {
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!property.NameEquals("sample_rate"u8) || property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetDouble(out var rate) || rate is < 0 or > 1)
                {
                    var detail = property.NameEquals("sample_rate"u8)
                        ? $"'sample_rate' must be a number from 0 to 1 (the share of the primary's calls replayed to the shadow), such as {ShadowShape.Example}."
                        : $"'{JsonRequestReader.Echo(property.Name)}' is not a field of a shadow request: send only \"sample_rate\", or no body for the model's configured rate.";
                    await AnswerAsync(context, "shadow", model, version, new HttpProblem(Problems.InvalidRequest, detail, model, version)).ConfigureAwait(false);
                    return;
                }

                sampleRate = rate;
            }
        }

        await RunResolvedAsync(context, "shadow", model, version, (m, ct) => m.SetShadowAsync(model, version!, sampleRate, ct)).ConfigureAwait(false);
    }

    private async Task RunAsync(HttpContext context, string action, bool withVersion, Func<IModelManager, string, string?, CancellationToken, Task> operation)
    {
        if (Resolve(context, withVersion, out var model, out var version) is { } invalid)
        {
            await AnswerAsync(context, action, model, version, invalid).ConfigureAwait(false);
            return;
        }

        await RunResolvedAsync(context, action, model, version, (m, ct) => operation(m, model, version, ct)).ConfigureAwait(false);
    }

    private async Task RunResolvedAsync(HttpContext context, string action, string model, string? version, Func<IModelManager, CancellationToken, Task> operation)
    {
        try
        {
            await operation(shared.Manager, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var problem = shared.Exceptions.ForOperation(context, ex, action, model, version, links);
            if (problem is not null)
            {
                await AnswerAsync(context, action, model, version, problem).ConfigureAwait(false);
            }

            return;
        }

        Log.AdminAction(shared.Logger, User(context), action, model, version, StatusCodes.Status200OK);
        await ModelsEndpoints.WriteAsync(context, ModelStatusView.From(shared.Manager.GetStatus(model))).ConfigureAwait(false);
    }

    /// <summary>Checks the route's names and that the model exists (404 before any body is read).</summary>
    private HttpProblem? Resolve(HttpContext context, bool withVersion, out string model, out string? version)
    {
        var values = context.Request.RouteValues;
        model = (string)values[ModelIdRouteValue]!;
        version = withVersion ? (string)values[VersionRouteValue]! : null;
        if (ModelResolver.CheckRouteNames(model, version) is { } invalid)
        {
            return invalid;
        }

        try
        {
            _ = shared.Manager.GetStatus(model);
            return null;
        }
        catch (ModelNotFoundException)
        {
            return ExceptionProblems.NotFound(model, links);
        }
    }

    private Task AnswerAsync(HttpContext context, string action, string model, string? version, HttpProblem problem, ErrorResponder? errors = null)
    {
        Log.AdminAction(shared.Logger, User(context), action, model, version, problem.Kind.Status);
        return (errors ?? Errors).WriteAsync(context, problem);
    }

    /// <summary>Who asked: the authenticated name, else the subject claim.</summary>
    private static string User(HttpContext context) =>
        context.User.Identity?.Name
        ?? context.User.FindFirst(ClaimTypes.NameIdentifier)?.Value
        ?? context.User.FindFirst("sub")?.Value
        ?? "(unknown user)";
}
