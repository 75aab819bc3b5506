using System.Globalization;

namespace LyftServing.Tests.TestModels;

/// <summary>Publishes versions of the test models (<see cref="LinearModel"/> and its kin) to a <see cref="TempStore"/>, the way users do.</summary>
internal static class TempStoreVersions
{
    /// <summary>Adds a version with its weight and, as given, test data, a failure, a manifest and a behavior.</summary>
    public static string AddVersion(this TempStore store, string model, string version, double weight, string? testData = null, string? failWith = null, string? manifest = null, string? behavior = null)
    {
        var files = new Dictionary<string, string> { ["weight.txt"] = weight.ToString(CultureInfo.InvariantCulture) };
        if (behavior is not null)
        {
            files["behavior.txt"] = behavior;
        }

        if (testData is not null)
        {
            files[ModelArtifact.TestDataFileName] = testData;
        }

        if (failWith is not null)
        {
            files["fail.txt"] = failWith;
        }

        if (manifest is not null)
        {
            files[ModelArtifact.ManifestFileName] = manifest;
        }

        return store.AddFiles(model, version, files);
    }
}
