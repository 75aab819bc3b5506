namespace LyftServing;

/// <summary>An error kept for the status view: what failed and when, without a stack trace.</summary>
/// <param name="Message">The message, naming model, version and cause.</param>
/// <param name="ErrorType">
/// The full name of the exception type of the cause, or one of LyftServing's conditions:
/// <c>lyftserving.drain_overdue</c> (a retired version still in use after the drain timeout),
/// <c>lyftserving.version_changed</c> (a version's content differs from when it was first loaded).
/// </param>
/// <param name="Time">When it happened.</param>
public sealed record ModelError(string Message, string ErrorType, DateTimeOffset Time);
