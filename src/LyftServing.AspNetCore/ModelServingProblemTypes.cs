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

    /// <summary>400: the request is JSON but not a valid inference request (not an object, or <c>model_id</c>, <c>model_version</c> or <c>features</c> missing or malformed).</summary>
    public const string InvalidRequest = BaseUri + "invalid-request";

    /// <summary>400: the features do not fit the model's features type; the detail and <c>path</c> name the bad field.</summary>
    public const string InvalidFeatures = BaseUri + "invalid-features";

    /// <summary>404: no model has the requested name.</summary>
    public const string ModelNotFound = BaseUri + "model-not-found";

    /// <summary>404: the model exists but the requested version is not loaded.</summary>
    public const string ModelVersionNotFound = BaseUri + "model-version-not-found";

    /// <summary>405: the endpoint does not accept the request's HTTP method.</summary>
    public const string MethodNotAllowed = BaseUri + "method-not-allowed";

    /// <summary>413: the request body is larger than <see cref="ModelServingHttpOptions.MaxRequestBodySize"/>.</summary>
    public const string PayloadTooLarge = BaseUri + "payload-too-large";

    /// <summary>415: the request's content type is not JSON.</summary>
    public const string UnsupportedMediaType = BaseUri + "unsupported-media-type";

    /// <summary>500: the model failed while predicting; the cause is logged on the server, never sent.</summary>
    public const string ModelError = BaseUri + "model-error";

    /// <summary>503: the model has no version ready to serve (loading, failed to load, or stopping); retry after <c>Retry-After</c>.</summary>
    public const string ModelNotReady = BaseUri + "model-not-ready";

    /// <summary>503: the model is at its concurrency limit; retry after <c>Retry-After</c>.</summary>
    public const string ModelOverloaded = BaseUri + "model-overloaded";

    /// <summary>504: the model did not answer within the request's time limit.</summary>
    public const string Timeout = BaseUri + "timeout";
}
