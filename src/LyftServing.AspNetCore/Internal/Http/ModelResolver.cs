namespace LyftServing.AspNetCore.Internal;

/// <summary>
/// The one way every protocol resolves the model and version a request names: names checked
/// against the name rule, the model looked up, and a named version checked to be loaded, all
/// before any body or features are bound, so an unknown model or version is a 404 whatever the
/// request carries.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ModelResolver(IModelProvider models)
{
    /// <summary>Checks a model name and an optional version name taken from a route.</summary>
    public static HttpProblem? CheckRouteNames(string modelId, string? version)
    {
        if (!ModelNames.IsValid(modelId))
        {
            return new HttpProblem(Problems.InvalidRequest, $"The model id in the path is not a valid model name: {Problems.NameRule}.");
        }

        return version is not null && !ModelNames.IsValid(version)
            ? new HttpProblem(Problems.InvalidRequest, $"The version in the path is not a valid version name: {Problems.NameRule}.", modelId)
            : null;
    }

    /// <summary>Resolves a model and version taken from a route: names checked, then looked up.</summary>
    public HttpProblem? ResolveRoute(string modelId, string? version, ModelLinks links, out IJsonModelClient? client)
    {
        client = null;
        return CheckRouteNames(modelId, version) ?? Find(modelId, version, links, out client);
    }

    /// <summary>Looks up a model by a valid name, and checks that a named (valid) version is loaded.</summary>
    public HttpProblem? Find(string modelId, string? version, ModelLinks links, out IJsonModelClient? client)
    {
        if (!models.TryGetJsonClient(modelId, out client))
        {
            return ExceptionProblems.NotFound(modelId, links);
        }

        return version is not null && !client.HasVersion(version)
            ? ExceptionProblems.VersionNotFound(modelId, version, links)
            : null;
    }
}
