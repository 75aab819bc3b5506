namespace LyftServing;

/// <summary>The result of one self-test case.</summary>
/// <param name="Name">The case's name.</param>
/// <param name="Passed">Whether the output matched the expected output.</param>
/// <param name="Message">Why it failed (the first difference, or the exception type and message), or <see langword="null"/> when it passed.</param>
public sealed record SelfTestCaseResult(string Name, bool Passed, string? Message = null);
