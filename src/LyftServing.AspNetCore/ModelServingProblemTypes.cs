namespace LyftServing.AspNetCore;

/// <summary>
/// The <c>type</c> URIs of the RFC 7807 problem details the model serving endpoints answer with.
/// Each identifies one kind of error and never changes, so clients can branch on it.
/// </summary>
public static class ModelServingProblemTypes
{
    /// <summary>The common prefix of every problem type.</summary>
    public const string BaseUri = "https://lyftserving.dev/problems/";

    /// <summary>400: the request body is empty.</summary>
    public const string EmptyBody = BaseUri + "empty-body";

    /// <summary>400: the request body is not valid JSON.</summary>
    public const string InvalidJson = BaseUri + "invalid-json";

    /// <summary>400: the request body's JSON nests deeper than <see cref="ModelServingHttpOptions.MaxDepth"/>.</summary>
    public const string JsonTooDeep = BaseUri + "json-too-deep";

    /// <summary>400: the request is JSON but not a valid request (not an object; a field or a name in the path missing or malformed, such as <c>model_id</c>, an admin action's version, or a tensor's <c>shape</c>).</summary>
    public const string InvalidRequest = BaseUri + "invalid-request";

    /// <summary>400: the features do not fit the model's features type; the detail and <c>path</c> name the bad field.</summary>
    public const string InvalidFeatures = BaseUri + "invalid-features";

    /// <summary>400: the Open Inference Protocol called a model that takes no named tensors (a C# model with typed features): call it with <c>POST /infer</c>.</summary>
    public const string NoTensorSignature = BaseUri + "no-tensor-signature";

    /// <summary>401: an admin endpoint was called without valid credentials (no token, or one that is expired or not trusted); the <c>WWW-Authenticate</c> header names the scheme. Written when <c>AddAdminAuthorizationProblems()</c> is registered.</summary>
    public const string Unauthorized = BaseUri + "unauthorized";

    /// <summary>403: an admin endpoint was called by an authenticated caller who does not satisfy its authorization policy (for example a token without the operators' role). Written when <c>AddAdminAuthorizationProblems()</c> is registered.</summary>
    public const string Forbidden = BaseUri + "forbidden";

    /// <summary>404: no model has the requested name.</summary>
    public const string ModelNotFound = BaseUri + "model-not-found";

    /// <summary>404: the model exists but the requested version is not loaded.</summary>
    public const string ModelVersionNotFound = BaseUri + "model-version-not-found";

    /// <summary>405: the endpoint does not accept the request's HTTP method.</summary>
    public const string MethodNotAllowed = BaseUri + "method-not-allowed";

    /// <summary>409: a rollback found no earlier primary version to roll back to; promote a version by name instead.</summary>
    public const string NothingToRollBackTo = BaseUri + "nothing-to-roll-back-to";

    /// <summary>409: the version is the primary, so it cannot be unloaded or made a shadow; promote another version first.</summary>
    public const string VersionIsPrimary = BaseUri + "version-is-primary";

    /// <summary>409: the model repository extension's unload: a served model always keeps a primary version; unload its other versions instead.</summary>
    public const string ModelCannotBeUnloaded = BaseUri + "model-cannot-be-unloaded";

    /// <summary>413: the request body is larger than <see cref="ModelServingHttpOptions.MaxRequestBodySize"/>.</summary>
    public const string PayloadTooLarge = BaseUri + "payload-too-large";

    /// <summary>415: the request's content type is not JSON.</summary>
    public const string UnsupportedMediaType = BaseUri + "unsupported-media-type";

    /// <summary>422: the version an operator named failed to load or failed its self-tests; the previous primary keeps serving.</summary>
    public const string VersionLoadFailed = BaseUri + "version-load-failed";

    /// <summary>500: the model failed while predicting; the cause is logged on the server, never sent.</summary>
    public const string ModelError = BaseUri + "model-error";

    /// <summary>500: an operator's action failed unexpectedly; the cause is logged on the server, never sent.</summary>
    public const string OperationFailed = BaseUri + "operation-failed";

    /// <summary>503: the model store could not record an operator's decision; nothing changed; retry after <c>Retry-After</c>.</summary>
    public const string StoreUnavailable = BaseUri + "store-unavailable";

    /// <summary>503: the model has no version ready to serve (loading, failed to load, or stopping); retry after <c>Retry-After</c>.</summary>
    public const string ModelNotReady = BaseUri + "model-not-ready";

    /// <summary>503: the model is at its concurrency limit; retry after <c>Retry-After</c>.</summary>
    public const string ModelOverloaded = BaseUri + "model-overloaded";

    /// <summary>504: the model did not answer within the request's time limit.</summary>
    public const string Timeout = BaseUri + "timeout";
}
