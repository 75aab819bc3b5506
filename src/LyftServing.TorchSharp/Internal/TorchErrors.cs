namespace LyftServing.TorchSharp.Internal;

/// <summary>Shortens libtorch's errors for messages: a TorchScript error carries both tracebacks before the line that says what went wrong.</summary>
internal static class TorchErrors
{
    public static string Summary(Exception exception)
    {
        var lines = exception.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var error = lines.LastOrDefault(l => l.Contains("Error: ", StringComparison.Ordinal) && !l.StartsWith("File ", StringComparison.Ordinal));
        var summary = error ?? lines.FirstOrDefault() ?? exception.GetType().Name;

        // libtorch appends where in its C++ sources the check failed: not the user's concern.
        var origin = summary.IndexOf("Exception raised from", StringComparison.Ordinal);
        return origin > 0 ? summary[..origin].TrimEnd() : summary;
    }
}
