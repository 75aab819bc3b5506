namespace LyftServing;

/// <summary>A version found in a model store.</summary>
/// <param name="Version">The version name.</param>
/// <param name="ChangeStamp">
/// An opaque stamp that changes whenever the version's listing entry changes (like an HTTP ETag):
/// a folder's modification time, an object's ETag. It must be cheap to get (no reading of the
/// version's files). The host retries a version that failed to load only after its stamp changes,
/// for example when a copy that was still in progress completes.
/// </param>
public readonly record struct ModelVersionInfo(string Version, string ChangeStamp);
