using LyftServing.Stores.AzureBlob;
using LyftServing.Stores.S3;

namespace LyftServing.Tool;

/// <summary>
/// <c>lyftserving publish &lt;folder&gt; --store &lt;location&gt; --model &lt;name&gt; --version &lt;version&gt;</c>:
/// uploads a version's files to an object store, then its <c>model.json</c> listing each file's
/// size and SHA-256, so replicas see the whole version or none of it.
/// </summary>
/// <param name="Folder">The version's folder, absolute.</param>
/// <param name="Store">The store location, <c>s3://bucket/prefix</c> or <c>azblob://container/prefix</c>.</param>
/// <param name="Model">The model.</param>
/// <param name="Version">The new version.</param>
/// <param name="Endpoint">An S3-compatible endpoint (path-style), or the blob service URI; <see langword="null"/> for AWS S3 or a connection string.</param>
/// <param name="ConnectionString">An Azure Storage connection string, or <see langword="null"/>.</param>
/// <param name="Region">The AWS region, or <see langword="null"/>.</param>
internal sealed record PublishCommand(string Folder, Uri Store, string Model, string Version, Uri? Endpoint, string? ConnectionString, string? Region)
{
    public const string Usage = """
        Usage: lyftserving publish <folder> --store <location> --model <name> --version <version> [options]

        Publishes a version to an object store: every file of <folder> first, then model.json (the
        folder's own, or an empty one) with each file's path, size and SHA-256, so replicas see the
        version only once it is complete, and verify what they download. Versions are immutable:
        publishing one that exists fails.

        Locations: s3://bucket/prefix (credentials from the AWS SDK's chain: AWS_ACCESS_KEY_ID, ...)
                   azblob://container/prefix (--connection-string, AZURE_STORAGE_CONNECTION_STRING,
                   or --endpoint with Azure's default credentials)

        Options:
          --endpoint <url>             S3: an S3-compatible store (MinIO, s3rver; path-style);
                                       Azure: the account's blob service URI
          --connection-string <value>  Azure: a storage connection string
          --region <name>              S3: the AWS region
        """;

    public static bool TryParse(string[] args, out PublishCommand command, out string problem)
    {
        command = null!;
        string? folder = null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg.StartsWith('-'))
            {
                if (arg is not ("--store" or "--model" or "--version" or "--endpoint" or "--connection-string" or "--region"))
                {
                    problem = $"unknown option '{arg}'.";
                    return false;
                }

                if (i + 1 >= args.Length)
                {
                    problem = $"{arg} needs a value.";
                    return false;
                }

                values[arg] = args[++i];
                continue;
            }

            if (folder is not null)
            {
                problem = $"one folder at a time: '{folder}' and '{arg}'.";
                return false;
            }

            folder = arg;
        }

        if (folder is null || !values.TryGetValue("--store", out var store) || !values.TryGetValue("--model", out var model) || !values.TryGetValue("--version", out var version))
        {
            problem = "name the folder, the store, the model and the version: lyftserving publish <folder> --store <location> --model <name> --version <version>.";
            return false;
        }

        if (!Uri.TryCreate(store, UriKind.Absolute, out var location) || location.Scheme is not ("s3" or "azblob") || location.Host.Length == 0)
        {
            problem = $"'{store}' is not an object store location: s3://bucket/prefix or azblob://container/prefix.";
            return false;
        }

        foreach (var (what, name) in new[] { ("model", model), ("version", version) })
        {
            if (!ModelNames.IsValid(name))
            {
                problem = $"the {what} '{name}' is not a valid name ({ModelNames.Pattern}).";
                return false;
            }
        }

        Uri? endpoint = null;
        if (values.TryGetValue("--endpoint", out var endpointText) && !Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint))
        {
            problem = $"--endpoint '{endpointText}' is not an absolute URL.";
            return false;
        }

        var connectionString = values.GetValueOrDefault("--connection-string") ?? Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING");
        if (location.Scheme == "azblob" && endpoint is null && string.IsNullOrEmpty(connectionString))
        {
            problem = "an azblob:// store needs --connection-string (or AZURE_STORAGE_CONNECTION_STRING) or --endpoint.";
            return false;
        }

        command = new PublishCommand(Path.GetFullPath(folder), location, model, version, endpoint, connectionString, values.GetValueOrDefault("--region"));
        problem = "";
        return true;
    }

    /// <summary>Publishes the version; returns the files listed in its manifest.</summary>
    public async Task<ModelManifest> RunAsync(CancellationToken cancellationToken)
    {
        if (Store.Scheme == "s3")
        {
            using var s3 = new S3ModelStore(Store, new S3ModelStoreOptions { ServiceUrl = Endpoint, ForcePathStyle = Endpoint is not null, Region = Region }, null);
            return await s3.PublishAsync(Model, Version, Folder, cancellationToken).ConfigureAwait(false);
        }

        var blob = new AzureBlobModelStore(Store, new AzureBlobModelStoreOptions { ConnectionString = ConnectionString, ServiceUri = ConnectionString is { Length: > 0 } ? null : Endpoint }, null);
        return await blob.PublishAsync(Model, Version, Folder, cancellationToken).ConfigureAwait(false);
    }
}
