using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace LyftServing.AspNetCore.Internal;

/// <summary>
/// Endpoint metadata of the admin endpoints: their 401 and 403 answers are written by
/// <see cref="Errors"/> (problem details, or the Open Inference Protocol's <c>{"error"}</c> for its
/// repository extension) when <see cref="AuthorizationProblemsHandler"/> is registered.
/// </summary>
internal sealed class AuthorizationAnswers(ErrorResponder errors)
{
    public ErrorResponder Errors { get; } = errors;
}

/// <summary>
/// Lets the authorization middleware answer as before (the app's handler or ASP.NET Core's: its
/// challenge and forbid set the status and <c>WWW-Authenticate</c>), then, for endpoints carrying
/// <see cref="AuthorizationAnswers"/> only, writes the 401 or 403 body the middleware leaves empty.
/// Every other endpoint's answer is the inner handler's, unchanged.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class AuthorizationProblemsHandler(IAuthorizationMiddlewareResultHandler inner) : IAuthorizationMiddlewareResultHandler
{
    private const string UnauthorizedDetail =
        "This endpoint needs an authenticated caller: send the credentials the service accepts (the WWW-Authenticate header names the scheme), such as a bearer token in the Authorization header.";

    private const string ForbiddenDetail =
        "The caller is authenticated but does not satisfy this endpoint's authorization policy: ask for the role or permission it requires.";

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        await inner.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
        if (authorizeResult.Succeeded
            || context.Response.HasStarted
            || context.GetEndpoint()?.Metadata.GetMetadata<AuthorizationAnswers>() is not { } answers)
        {
            return;
        }

        var problem = context.Response.StatusCode switch
        {
            StatusCodes.Status401Unauthorized => new HttpProblem(Problems.Unauthorized, UnauthorizedDetail),
            StatusCodes.Status403Forbidden => new HttpProblem(Problems.Forbidden, ForbiddenDetail),
            _ => null, // a scheme that redirects (cookies) or answers otherwise keeps its answer
        };
        if (problem is not null)
        {
            await answers.Errors.WriteAsync(context, problem).ConfigureAwait(false);
        }
    }
}
