using System.ComponentModel.DataAnnotations;

namespace LyftServing.AspNetCore;

/// <summary>
/// Options of the HTTP endpoints that <c>MapModelServing()</c> maps: request limits and the
/// <c>Retry-After</c> advice of 503 answers.
/// </summary>
/// <remarks>
/// Set them with <c>AddModelServing().ConfigureHttp(...)</c> (code or a configuration section such
/// as <c>ModelServingHttp</c>). They are read and validated once, when <c>MapModelServing()</c> runs.
/// </remarks>
public sealed class ModelServingHttpOptions
{
    /// <summary>The default <see cref="MaxRequestBodySize"/>: 1 MiB.</summary>
    public const long DefaultMaxRequestBodySize = 1024 * 1024;

    /// <summary>The default <see cref="MaxDepth"/>: 32.</summary>
    public const int DefaultMaxDepth = 32;

    /// <summary>
    /// Gets or sets the largest request body <c>POST /infer</c> accepts, in bytes; a larger body is
    /// answered with 413 before it is parsed. Default: <see cref="DefaultMaxRequestBodySize"/> (1 MiB).
    /// </summary>
    [Range(typeof(long), "1", "2147483647")]
    public long MaxRequestBodySize { get; set; } = DefaultMaxRequestBodySize;

    /// <summary>
    /// Gets or sets how deeply the JSON of a request body may nest, counting the request object
    /// itself (so features may nest one level less); deeper JSON is answered with 400.
    /// Default: <see cref="DefaultMaxDepth"/>.
    /// </summary>
    [Range(2, 1024)]
    public int MaxDepth { get; set; } = DefaultMaxDepth;

    /// <summary>
    /// Gets or sets the <c>Retry-After</c> advice sent with 503 answers (model not ready, model
    /// overloaded), rounded up to whole seconds. Default: 1 second.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);
}
