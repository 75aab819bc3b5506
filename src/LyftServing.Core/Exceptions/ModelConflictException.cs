namespace LyftServing;

/// <summary>
/// An operator's action (<see cref="IModelManager"/>) conflicts with the model's current state:
/// nothing to roll back to, or the version named is the primary. Nothing changed; the model keeps serving.
/// </summary>
public sealed class ModelConflictException : ModelServingException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="conflict">What the action conflicts with.</param>
    /// <param name="version">The version the action named, if any.</param>
    /// <param name="message">What conflicts and what to do instead, naming model and version.</param>
    public ModelConflictException(string modelName, ModelConflict conflict, string? version, string message)
        : base(modelName, message)
    {
        Conflict = conflict;
        Version = version;
    }

    /// <summary>Gets what the action conflicts with.</summary>
    public ModelConflict Conflict { get; }

    /// <summary>Gets the version the action named, if any.</summary>
    public string? Version { get; }
}

/// <summary>What an operator's action conflicts with (<see cref="ModelConflictException.Conflict"/>).</summary>
public enum ModelConflict
{
    /// <summary>A rollback found no earlier primary version (in this process or, after a restart, older than the primary in the store).</summary>
    NothingToRollBackTo,

    /// <summary>The version is the primary: it cannot be unloaded or made a shadow; promote another version first.</summary>
    VersionIsPrimary,
}
