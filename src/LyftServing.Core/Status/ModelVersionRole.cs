namespace LyftServing;

/// <summary>The role of a loaded version.</summary>
public enum ModelVersionRole
{
    /// <summary>Loaded, but serves only calls that name it.</summary>
    None,

    /// <summary>Answers the model's calls.</summary>
    Primary,

    /// <summary>Sees a copy of (a sample of) the primary's calls; its answers are only compared and recorded.</summary>
    Shadow,
}
