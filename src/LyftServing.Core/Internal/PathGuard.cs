namespace LyftServing.Internal;

/// <summary>Joins paths under a root and refuses any result outside it.</summary>
internal static class PathGuard
{
    public static string Combine(string root, string relativePath)
    {
        if (Path.IsPathRooted(relativePath))
        {
            throw new ArgumentException($"'{relativePath}' must be a relative path.", nameof(relativePath));
        }

        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var full = Path.GetFullPath(Path.Combine(fullRoot, relativePath));
        if (!full.StartsWith(fullRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{relativePath}' leaves the directory '{fullRoot}'.", nameof(relativePath));
        }

        return full;
    }
}
