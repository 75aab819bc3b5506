namespace LyftServing.AspNetCore.Internal;

/// <summary>
/// One rejected request, whatever the protocol: its kind (status and problem type), the detail
/// for the caller, and what it concerns. Each protocol writes it in its own error format
/// (<see cref="ErrorResponder"/>).
/// </summary>
internal sealed record HttpProblem(ProblemKind Kind, string Detail, string? ModelId = null, string? Version = null, string? Path = null)
{
    /// <summary>Gets the <c>Retry-After</c> advice in seconds (503 answers), if any.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Gets the methods the resource allows (405 answers), if any.</summary>
    public string? Allow { get; init; }
}
