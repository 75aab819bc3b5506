using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LyftServing.Testing;

/// <summary>
/// Runs every model's self-tests the way the service runs them: builds the service's model
/// serving in a <see cref="ModelTestHost"/>, starts it (each model loads the version it would
/// serve, and the host runs the version's self-tests), and reports each case.
/// </summary>
public static class ModelSelfTests
{
    /// <summary>Runs the self-tests of every model a registration serves.</summary>
    /// <param name="configure">Adds the service's model serving, as its <c>Program</c> does.</param>
    /// <param name="options">Which models, or <see langword="null"/> for the registration's own.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>
    /// Every case of every version the host loaded (the version each model would serve, and any
    /// newer one that failed on the way), ordered by model, version and case; a version that failed
    /// to load, or has no cases, is one failing case.
    /// </returns>
    /// <remarks>
    /// While it runs every model is optional and nothing polls, so one broken model never hides
    /// the others' results.
    /// </remarks>
    public static async Task<IReadOnlyList<ModelSelfTestCase>> RunAsync(
        Action<IHostApplicationBuilder> configure, ModelSelfTestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configure);
        options ??= new ModelSelfTestOptions();
        var store = options.Store;
        var host = ModelTestHost.Create(
            builder =>
            {
                configure(builder);
                builder.Services.PostConfigure<ModelServingOptions>(o =>
                {
                    o.PollInterval = null;
                    if (store is not null)
                    {
                        o.StoreRoot = store;
                        o.DiscoverModels = true;
                    }

                    foreach (var model in o.Models.Values)
                    {
                        model.Required = false;
                        model.PollInterval = null;
                        if (store is not null)
                        {
                            model.Store = null;
                        }
                    }
                });
            },
            new ModelTestHostOptions { ContentRoot = options.ContentRoot });
        await using (host.ConfigureAwait(false))
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            var cases = new List<ModelSelfTestCase>();
            var statuses = host.Manager.GetStatus();
            foreach (var model in statuses)
            {
                cases.AddRange(CasesOf(model, options.AllowModelsWithoutSelfTests));
            }

            if (store is not null)
            {
                cases.AddRange(await NotServedAsync(host, store, statuses, cancellationToken).ConfigureAwait(false));
            }

            return [.. cases.OrderBy(c => c.ModelName, StringComparer.Ordinal)];
        }
    }

    /// <summary>
    /// A store folder the host did not serve (its <c>model.json</c> names no registered runtime, or
    /// is missing or invalid) is a failing case, with the reason the host logged (event 18).
    /// </summary>
    private static async Task<List<ModelSelfTestCase>> NotServedAsync(ModelTestHost host, string store, IReadOnlyList<ModelStatus> served, CancellationToken cancellationToken)
    {
        const int ModelNotDiscovered = 18;
        var root = Path.Combine(host.Services.GetRequiredService<IHostEnvironment>().ContentRootPath, store);
        var names = served.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var reasons = host.Logs.GetSnapshot().Where(r => r.Id.Id == ModelNotDiscovered).ToList();
        var cases = new List<ModelSelfTestCase>();
        var models = await new FileSystemModelStore(root).ListModelsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var name in models.Order(StringComparer.Ordinal).Where(n => !names.Contains(n)))
        {
            var reason = reasons.FirstOrDefault(r => r.GetStructuredStateValue("ModelName") == name)?.Message
                ?? $"The store folder '{name}' was not served.";
            cases.Add(new ModelSelfTestCase(name, null, "load", false, reason));
        }

        return cases;
    }

    private static IEnumerable<ModelSelfTestCase> CasesOf(ModelStatus model, bool allowNoCases)
    {
        if (model.Versions.Count == 0)
        {
            yield return new ModelSelfTestCase(model.Name, null, "load", false, model.LastError?.Message ?? "The model has no version in its store.");
            yield break;
        }

        foreach (var version in model.Versions.OrderBy(v => v.Version, VersionComparer.Instance))
        {
            if (version.SelfTests is not { } report)
            {
                yield return new ModelSelfTestCase(model.Name, version.Version, "load", false, version.Error?.Message ?? $"The version is {version.State} and ran no self-tests.");
                continue;
            }

            if (report.Cases.Count == 0)
            {
                yield return new ModelSelfTestCase(model.Name, version.Version, "has self-tests", allowNoCases,
                    allowNoCases ? null : $"The version has no self-test cases: add {ModelArtifact.TestDataFileName} to it or implement IModelTestData.");
                continue;
            }

            foreach (var result in report.Cases)
            {
                yield return new ModelSelfTestCase(model.Name, version.Version, result.Name, result.Passed, result.Message);
            }
        }
    }
}
