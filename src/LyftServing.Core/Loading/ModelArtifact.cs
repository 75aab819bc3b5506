using System.Security.Cryptography;
using System.Text;
using LyftServing.Internal;

namespace LyftServing;

/// <summary>
/// The files of one model version in a local directory: its manifest (<c>model.json</c>), its
/// content hash and the paths of its files.
/// </summary>
/// <remarks>
/// Immutable and thread-safe. Model stores produce artifacts; model code reads its files in
/// <see cref="IModel{TFeatures, TOutput}.LoadAsync"/>. Paths are resolved with
/// <see cref="GetPath(string)"/>, which refuses any path that leaves <see cref="Directory"/>.
/// </remarks>
public sealed class ModelArtifact
{
    /// <summary>The name of the optional manifest file in a version directory.</summary>
    public const string ManifestFileName = "model.json";

    /// <summary>The name of the optional self-test file in a version directory.</summary>
    public const string TestDataFileName = "testdata.json";

    private ModelArtifact(string modelName, string version, string directory, IReadOnlyList<string> files, ModelManifest manifest, string contentHash)
    {
        ModelName = modelName;
        Version = version;
        Directory = directory;
        Files = files;
        Manifest = manifest;
        ContentHash = contentHash;
    }

    /// <summary>Gets the name of the model.</summary>
    public string ModelName { get; }

    /// <summary>Gets the version.</summary>
    public string Version { get; }

    /// <summary>Gets the full path of the version's directory.</summary>
    public string Directory { get; }

    /// <summary>Gets the paths of the version's files, relative to <see cref="Directory"/>, with '/' separators, in ordinal order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Gets the parsed <c>model.json</c>, or <see cref="ModelManifest.Empty"/> when the version has none.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>Gets the SHA-256 of the version's files (relative paths and contents), as <c>sha256:</c> and lowercase hex.</summary>
    public string ContentHash { get; }

    /// <summary>Returns the full path of a file of this version.</summary>
    /// <param name="relativePath">A path relative to <see cref="Directory"/>.</param>
    /// <returns>The full path.</returns>
    /// <exception cref="ArgumentException"><paramref name="relativePath"/> is rooted or leaves the version directory.</exception>
    public string GetPath(string relativePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(relativePath);
        return PathGuard.Combine(Directory, relativePath);
    }

    /// <summary>Returns the one file of this version with the given extension, such as <c>".onnx"</c>.</summary>
    /// <param name="extension">The extension, with its leading dot.</param>
    /// <returns>The full path of the file.</returns>
    /// <exception cref="FileNotFoundException">No file, or more than one, has the extension.</exception>
    public string GetSingleFile(string extension)
    {
        ArgumentException.ThrowIfNullOrEmpty(extension);
        string? found = null;
        foreach (var file in Files)
        {
            if (file.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
            {
                if (found is not null)
                {
                    throw new FileNotFoundException(
                        $"Model '{ModelName}' version '{Version}' has more than one '{extension}' file ('{found}', '{file}'); keep exactly one.");
                }

                found = file;
            }
        }

        return found is null
            ? throw new FileNotFoundException($"Model '{ModelName}' version '{Version}' has no '{extension}' file in '{Directory}'.")
            : GetPath(found);
    }

    /// <summary>Reads a version directory: lists its files, parses <c>model.json</c> and hashes the content.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version.</param>
    /// <param name="directory">The version's directory.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The artifact.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="InvalidDataException"><c>model.json</c> is not a valid manifest.</exception>
    public static async ValueTask<ModelArtifact> FromDirectoryAsync(string modelName, string version, string directory, CancellationToken cancellationToken = default)
    {
        ModelNames.ThrowIfInvalid(modelName);
        ModelNames.ThrowIfInvalid(version, nameof(version));
        ArgumentException.ThrowIfNullOrEmpty(directory);

        var fullDirectory = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(fullDirectory))
        {
            throw new DirectoryNotFoundException($"The directory '{fullDirectory}' of model '{modelName}' version '{version}' does not exist.");
        }

        var files = System.IO.Directory
            .EnumerateFiles(fullDirectory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(fullDirectory, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();

        // The hash covers names and contents, so renaming a file changes it too.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        foreach (var file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(file));
            hash.AppendData([0]);
            var stream = new FileStream(Path.Combine(fullDirectory, file), FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (stream.ConfigureAwait(false))
            {
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                }
            }
        }

        var manifest = ModelManifest.Empty;
        if (files.Contains(ManifestFileName, StringComparer.Ordinal))
        {
            var json = await File.ReadAllBytesAsync(Path.Combine(fullDirectory, ManifestFileName), cancellationToken).ConfigureAwait(false);
            manifest = ModelManifest.Parse(json);
        }

        return new ModelArtifact(modelName, version, fullDirectory, files, manifest, "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
