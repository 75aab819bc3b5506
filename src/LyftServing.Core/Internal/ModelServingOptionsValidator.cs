using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LyftServing.Internal;

[OptionsValidator]
internal sealed partial class ModelServingOptionsDataValidator : IValidateOptions<ModelServingOptions>;

[OptionsValidator]
internal sealed partial class ModelOptionsDataValidator : IValidateOptions<ModelOptions>;

/// <summary>
/// Checks what data annotations cannot: that the configuration section exists, every model and
/// version name from every source (pins, shadows, sample rates), options that contradict each
/// other, that every model has model code (a registration or a registered runtime), and each
/// model's settings: those it reads are valid, and no configuration sets settings it does not read.
/// Errors name the configuration key path. Runs at start-up (<c>ValidateOnStart</c>) and on every change.
/// </summary>
internal sealed class ModelServingOptionsValidator(
    IEnumerable<ModelRegistration> registrations,
    IEnumerable<ModelRuntimeRegistration> runtimes,
    IEnumerable<ModelSettingsRegistration> settings,
    IEnumerable<ModelServingConfiguration> configurations,
    StoreLocations storeLocations,
    IServiceProvider services) : IValidateOptions<ModelServingOptions>
{
    private readonly ModelServingOptionsDataValidator _dataValidator = new();
    private readonly ModelOptionsDataValidator _modelDataValidator = new();

    public ValidateOptionsResult Validate(string? name, ModelServingOptions options)
    {
        var builder = new ValidateOptionsResultBuilder();
        var root = "ModelServing";
        foreach (var configuration in configurations)
        {
            if (configuration.Section is IConfigurationSection section)
            {
                root = section.Path;
                if (!section.Exists())
                {
                    builder.AddError($"The configuration section '{section.Path}' given to AddModelServing does not exist: check its name, or call AddModelServing() without configuration.", section.Path);
                }
            }
        }

        builder.AddResult(_dataValidator.Validate(name, options));
        if (options.StoreRoot is { } storeRoot && storeLocations.Check(storeRoot) is { } badRoot)
        {
            builder.AddError($"'{root}:StoreRoot': {badRoot}.", $"{root}:StoreRoot");
        }

        var registered = registrations.ToDictionary(r => r.Name, StringComparer.Ordinal);
        var runtimesByName = runtimes.ToDictionary(r => r.Name, StringComparer.Ordinal);
        var runtimeNames = runtimesByName.Keys.ToHashSet(StringComparer.Ordinal);
        foreach (var (modelName, model) in options.Models)
        {
            var path = $"{root}:Models:{modelName}";
            if (!ModelNames.IsValid(modelName))
            {
                builder.AddError($"Model name {ModelNames.Describe(modelName)}", path);
                continue;
            }

            builder.AddResult(_modelDataValidator.Validate(modelName, model));
            if (model.Store is { } store && storeLocations.Check(store) is { } badStore)
            {
                builder.AddError($"'{path}:Store': {badStore}.", $"{path}:Store");
            }

            ValidateVersions(builder, path, modelName, model);
            if (!ValidateCode(builder, path, modelName, model, registered.ContainsKey(modelName), runtimeNames))
            {
                continue;
            }

            var reads = registered.TryGetValue(modelName, out var registration)
                ? registration.Runtime is { } runtime ? SettingsOf(runtimesByName.GetValueOrDefault(runtime)) : ModelSettingsTypes.OfModelCode(registration.ModelType)
                : SettingsOf(runtimesByName.GetValueOrDefault(model.Runtime!));
            ValidateSettings(builder, modelName, reads);
        }

        return builder.Build();
    }

    private static Type[] SettingsOf(ModelRuntimeRegistration? runtime) => runtime?.SettingsType is { } type ? [type] : [];

    private static void ValidateVersions(ValidateOptionsResultBuilder builder, string path, string modelName, ModelOptions model)
    {
        if (model.Version is not null && !ModelNames.IsValid(model.Version))
        {
            builder.AddError($"Model '{modelName}': version {ModelNames.Describe(model.Version)}", $"{path}:Version");
        }

        for (var i = 0; i < model.Shadow.Versions.Count; i++)
        {
            var shadow = model.Shadow.Versions[i];
            if (!ModelNames.IsValid(shadow))
            {
                builder.AddError($"'{path}:Shadow:Versions:{i}': shadow version {ModelNames.Describe(shadow)}", $"{path}:Shadow:Versions:{i}");
            }
            else if (shadow == model.Version)
            {
                builder.AddError($"Model '{modelName}' is pinned to version '{shadow}', which is also listed as its shadow; a version cannot shadow itself.", $"{path}:Shadow:Versions:{i}");
            }
        }

        foreach (var (version, rate) in model.Shadow.SampleRates)
        {
            if (!ModelNames.IsValid(version))
            {
                builder.AddError($"'{path}:Shadow:SampleRates:{version}': shadow version {ModelNames.Describe(version)}", $"{path}:Shadow:SampleRates:{version}");
            }
            else if (rate is < 0 or > 1 || double.IsNaN(rate))
            {
                builder.AddError($"'{path}:Shadow:SampleRates:{version}' is {rate}; a sample rate is from 0 to 1.", $"{path}:Shadow:SampleRates:{version}");
            }
        }

        if (model.RequireSelfTests && model.SelfTestsReportOnly)
        {
            builder.AddError($"Model '{modelName}' sets both RequireSelfTests and SelfTestsReportOnly; choose one.", $"{path}:SelfTestsReportOnly");
        }

        if (model.Batching.QueueLimit is { } queue && queue < model.Batching.MaxBatchSize)
        {
            builder.AddError($"Model '{modelName}': Batching:QueueLimit ({queue}) is smaller than Batching:MaxBatchSize ({model.Batching.MaxBatchSize}), so no full batch could form.", $"{path}:Batching:QueueLimit");
        }
    }

    /// <summary>Whether the model has model code; when it has none, its settings are not checked.</summary>
    private static bool ValidateCode(ValidateOptionsResultBuilder builder, string path, string modelName, ModelOptions model, bool registered, HashSet<string> runtimeNames)
    {
        if (registered)
        {
            if (model.Runtime is not null)
            {
                builder.AddError($"Model '{modelName}' is added with AddModel and also names the runtime '{model.Runtime}'; remove one of the two.", $"{path}:Runtime");
            }
        }
        else if (model.Runtime is null)
        {
            builder.AddError($"Model '{modelName}' is configured but has no model code: set its Runtime (for example \"onnx\") or add it with AddModel<TModel, TFeatures, TOutput>(\"{modelName}\").", path);
            return false;
        }
        else if (!runtimeNames.Contains(model.Runtime))
        {
            var known = runtimeNames.Count == 0 ? "none" : string.Join(", ", runtimeNames.Order(StringComparer.Ordinal));
            builder.AddError($"Model '{modelName}' names the runtime '{model.Runtime}', which is not registered (registered runtimes: {known}); add the runtime's package and its registration, such as AddOnnxRuntime().", $"{path}:Runtime");
            return false;
        }

        return true;
    }

    /// <summary>The settings a model reads must be valid; configured settings it does not read would be silently ignored.</summary>
    private void ValidateSettings(ValidateOptionsResultBuilder builder, string modelName, IReadOnlyCollection<Type> reads)
    {
        foreach (var registration in settings)
        {
            if (reads.Contains(registration.SettingsType))
            {
                var check = (IModelSettingsCheck)services.GetRequiredService(typeof(ModelSettingsProvider<>).MakeGenericType(registration.SettingsType));
                foreach (var error in check.Validate(modelName))
                {
                    builder.AddError(error);
                }

                continue;
            }

            foreach (var configuration in configurations)
            {
                var section = configuration.Section.GetSection("Models").GetSection(modelName).GetSection(registration.SectionName);
                if (section.Exists())
                {
                    builder.AddError(
                        $"'{section.Path}' sets {registration.SettingsType.Name}, which model '{modelName}' does not read (it reads {(reads.Count == 0 ? "no settings" : string.Join(", ", reads.Select(t => t.Name)))}); remove the section.");
                }
            }
        }
    }
}
