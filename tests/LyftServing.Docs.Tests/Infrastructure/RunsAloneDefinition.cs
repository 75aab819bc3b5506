namespace LyftServing.Docs.Tests.Infrastructure;

/// <summary>
/// Tests that run a doc's program change the process's console and current directory while it
/// runs, so they run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAloneDefinition
{
    /// <summary>The collection's name.</summary>
    public const string Name = "console";
}
