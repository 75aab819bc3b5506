namespace LyftServing;

/// <summary>A version found in a model store.</summary>
/// <param name="Version">The version name.</param>
/// <param name="LastModified">
/// When the version's files last changed. The host retries a version that failed to load only
/// after this changes (for example when a copy that was still in progress completes).
/// </param>
public readonly record struct ModelVersionInfo(string Version, DateTimeOffset LastModified);
