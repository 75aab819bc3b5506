namespace LyftServing;

/// <summary>Where a model version is in its life: loading → self-testing → ready → draining, or failed.</summary>
public enum ModelVersionState
{
    /// <summary>The artifact is being read and the model code is loading it.</summary>
    Loading,

    /// <summary>Loaded; warm-up and self-tests are running.</summary>
    SelfTesting,

    /// <summary>Loaded and able to serve (as primary, shadow, or on explicit request).</summary>
    Ready,

    /// <summary>Retired; waiting for in-flight calls to finish before it is disposed (however long they take).</summary>
    Draining,

    /// <summary>Failed to load, warm up or pass its self-tests, or its content changed after it was loaded; it does not serve.</summary>
    Failed,
}
