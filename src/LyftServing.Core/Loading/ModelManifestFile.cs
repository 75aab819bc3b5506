namespace LyftServing;

/// <summary>One file of a version as its <c>model.json</c> lists it (see <see cref="ModelManifest.Files"/>). Immutable.</summary>
/// <param name="path">The file's path relative to the version, with '/' separators.</param>
/// <param name="size">The file's size in bytes.</param>
/// <param name="sha256">The SHA-256 of the file's content, as 64 lowercase hex digits.</param>
public sealed class ModelManifestFile(string path, long size, string sha256)
{
    /// <summary>Gets the file's path relative to the version, with '/' separators.</summary>
    public string Path { get; } = path;

    /// <summary>Gets the file's size in bytes.</summary>
    public long Size { get; } = size;

    /// <summary>Gets the SHA-256 of the file's content, as 64 lowercase hex digits.</summary>
    public string Sha256 { get; } = sha256;
}
