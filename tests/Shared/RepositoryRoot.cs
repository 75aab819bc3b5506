namespace LyftServing.Tests.Shared;

/// <summary>The repository's root folder (where LyftServing.sln is), found from the test's output folder. Linked into the test projects that read repository files.</summary>
internal static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "LyftServing.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("LyftServing.sln not found above " + AppContext.BaseDirectory);
    });

    /// <summary>Gets the root folder's full path.</summary>
    public static string FullPath => Root.Value;
}
