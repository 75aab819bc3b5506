namespace LyftServing.Internal;

/// <summary>
/// Finds the models of the default store at start-up (<see cref="ModelServingOptions.DiscoverModels"/>):
/// every model, not already declared, whose newest version's <c>model.json</c> names a registered runtime.
/// Works with any <see cref="IModelStore"/>.
/// </summary>
internal static class ModelDiscovery
{
    public static async Task<IReadOnlyList<IModelLifecycle>> DiscoverAsync(ModelRegistry registry, CancellationToken cancellationToken)
    {
        var store = registry.DefaultStore;
        var logger = registry.Logger;
        var known = registry.ModelNames.ToHashSet(StringComparer.Ordinal);
        var found = new List<IModelLifecycle>();
        foreach (var name in (await store.ListModelsAsync(cancellationToken).ConfigureAwait(false)).Where(ModelNames.IsValid).Order(StringComparer.Ordinal))
        {
            if (known.Contains(name))
            {
                continue;
            }

            string? runtimeName;
            try
            {
                var versions = await store.ListVersionsAsync(name, cancellationToken).ConfigureAwait(false);
                var newest = versions.Select(v => v.Version).Where(ModelNames.IsValid).Max(VersionComparer.Instance);
                runtimeName = newest is null ? null : await ReadRuntimeAsync(store, name, newest, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ModelStoreException or InvalidDataException)
            {
                Log.ModelNotDiscovered(logger, name, ex.Message);
                continue;
            }

            if (runtimeName is null)
            {
                Log.ModelNotDiscovered(logger, name, "its newest version has no model.json naming a runtime");
                continue;
            }

            if (!registry.Runtimes.TryGetValue(runtimeName, out var runtime))
            {
                Log.ModelNotDiscovered(logger, name, $"its model.json names the runtime '{runtimeName}', which is not registered");
                continue;
            }

            // Discovered models are optional: one broken folder must not stop the others.
            var options = new ModelOptions { Runtime = runtime.Name, Required = false };
            found.Add(registry.Create(runtime.CreateRegistration(name), options, store));
            Log.ModelDiscovered(logger, name, runtime.Name, store is FileSystemModelStore fs ? fs.RootDirectory : store.GetType().Name);
        }

        return found;
    }

    private static async Task<string?> ReadRuntimeAsync(IModelStore store, string model, string version, CancellationToken cancellationToken)
    {
        if (store is FileSystemModelStore files)
        {
            // The file store's manifest can be read without hashing the whole version.
            var path = Path.Combine(files.RootDirectory, model, version, ModelArtifact.ManifestFileName);
            return File.Exists(path) ? ModelManifest.Parse(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false)).Runtime : null;
        }

        return (await store.GetArtifactAsync(model, version, cancellationToken).ConfigureAwait(false)).Manifest.Runtime;
    }
}
