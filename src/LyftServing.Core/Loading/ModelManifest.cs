using System.Collections.ObjectModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LyftServing;

/// <summary>
/// The parsed <c>model.json</c> of a version: which runtime serves it, a description,
/// free-form properties for the model code and, when a publisher wrote it, the list of the
/// version's files with their sizes and SHA-256 hashes.
/// </summary>
/// <remarks>
/// Example: <c>{"runtime": "onnx", "description": "ETA v7", "properties": {"threshold": 0.5}}</c>.
/// Object stores publish a version by writing <c>model.json</c> last; <c>lyftserving publish</c>
/// adds <c>"files": [{"path": "model.onnx", "size": 1234, "sha256": "…"}]</c>, against which every
/// download is verified.
/// Unknown top-level keys are rejected so that a typo fails the load instead of being ignored;
/// anything specific to model code belongs in <c>properties</c>. Immutable and thread-safe.
/// </remarks>
public sealed class ModelManifest
{
    private static readonly JsonSerializerOptions ParseOptions = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>Creates a manifest.</summary>
    /// <param name="runtime">The name of the model runtime that serves the version, or <see langword="null"/>.</param>
    /// <param name="description">A human-readable description, or <see langword="null"/>.</param>
    /// <param name="properties">Free-form properties, or <see langword="null"/> for none.</param>
    /// <param name="files">The version's files with their sizes and hashes, or <see langword="null"/> when the manifest does not list them.</param>
    public ModelManifest(string? runtime = null, string? description = null, IReadOnlyDictionary<string, JsonElement>? properties = null, IReadOnlyList<ModelManifestFile>? files = null)
    {
        Runtime = runtime;
        Description = description;
        Properties = properties ?? ReadOnlyDictionary<string, JsonElement>.Empty;
        Files = files;
    }

    /// <summary>Gets the manifest of a version without <c>model.json</c>.</summary>
    public static ModelManifest Empty { get; } = new();

    /// <summary>Gets the name of the model runtime that serves this version (for example <c>onnx</c>), if any.</summary>
    public string? Runtime { get; }

    /// <summary>Gets the description, if any.</summary>
    public string? Description { get; }

    /// <summary>Gets the free-form properties.</summary>
    public IReadOnlyDictionary<string, JsonElement> Properties { get; }

    /// <summary>
    /// Gets the version's other files with their sizes and SHA-256 hashes, as a publisher listed
    /// them (<c>lyftserving publish</c>), or <see langword="null"/> when the manifest does not list
    /// them. Object stores download exactly these files and verify each against its hash.
    /// </summary>
    public IReadOnlyList<ModelManifestFile>? Files { get; }

    /// <summary>Parses the UTF-8 JSON of a <c>model.json</c> file.</summary>
    /// <param name="utf8Json">The file's bytes.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="InvalidDataException">The JSON is malformed or has unknown keys.</exception>
    public static ModelManifest Parse(ReadOnlySpan<byte> utf8Json)
    {
        ManifestDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<ManifestDocument>(utf8Json, ParseOptions);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{ModelArtifact.ManifestFileName} is not a valid manifest at '{ex.Path}': {FirstSentence(ex.Message)}", ex);
        }

        if (document is null)
        {
            throw new InvalidDataException($"{ModelArtifact.ManifestFileName} must hold a JSON object, not null.");
        }

        return new ModelManifest(document.Runtime, document.Description, document.Properties, document.Files is null ? null : [.. document.Files.Select(CheckFile)]);
    }

    private static ModelManifestFile CheckFile(ManifestFile? file, int index)
    {
        var where = $"{ModelArtifact.ManifestFileName} files[{index}]";
        if (file?.Path is not { Length: > 0 } path || path.StartsWith('/') || path.Contains('\\', StringComparison.Ordinal)
            || path.Split('/').Any(part => part is "" or "." or "..") || path == ModelArtifact.ManifestFileName)
        {
            throw new InvalidDataException($"{where}: the path '{file?.Path}' is not a relative path inside the version (forward slashes, no '.' or '..' parts, not {ModelArtifact.ManifestFileName} itself).");
        }

        if (file.Size is not >= 0)
        {
            throw new InvalidDataException($"{where} ('{path}'): the size must be a number of bytes, 0 or more.");
        }

        if (file.Sha256 is not { Length: 64 } sha || !sha.All(char.IsAsciiHexDigitLower))
        {
            throw new InvalidDataException($"{where} ('{path}'): sha256 must be 64 lowercase hex digits.");
        }

        return new ModelManifestFile(path, file.Size.Value, sha);
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }

    private sealed class ManifestDocument
    {
        public string? Runtime { get; set; }

        public string? Description { get; set; }

        public Dictionary<string, JsonElement>? Properties { get; set; }

        public List<ManifestFile?>? Files { get; set; }
    }

    private sealed class ManifestFile
    {
        public string? Path { get; set; }

        public long? Size { get; set; }

        public string? Sha256 { get; set; }
    }
}
