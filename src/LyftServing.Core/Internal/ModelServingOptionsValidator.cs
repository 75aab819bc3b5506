using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LyftServing.Internal;

[OptionsValidator]
internal sealed partial class ModelServingOptionsDataValidator : IValidateOptions<ModelServingOptions>;

[OptionsValidator]
internal sealed partial class ModelOptionsDataValidator : IValidateOptions<ModelOptions>;

/// <summary>
/// Checks what data annotations cannot: model and version names, that every model has model
/// code (a registration or a registered runtime), and each model's settings: those it reads are
/// valid, and no configuration sets settings it does not read. Runs at start-up (<c>ValidateOnStart</c>).
/// </summary>
internal sealed class ModelServingOptionsValidator(
    IEnumerable<ModelRegistration> registrations,
    IEnumerable<ModelRuntimeRegistration> runtimes,
    IEnumerable<ModelSettingsRegistration> settings,
    IEnumerable<ModelServingConfiguration> configurations,
    IServiceProvider services) : IValidateOptions<ModelServingOptions>
{
    private readonly ModelServingOptionsDataValidator _dataValidator = new();
    private readonly ModelOptionsDataValidator _modelDataValidator = new();

    public ValidateOptionsResult Validate(string? name, ModelServingOptions options)
    {
        var builder = new ValidateOptionsResultBuilder();
        builder.AddResult(_dataValidator.Validate(name, options));

        var registered = registrations.ToDictionary(r => r.Name, StringComparer.Ordinal);
        var runtimesByName = runtimes.ToDictionary(r => r.Name, StringComparer.Ordinal);
        var runtimeNames = runtimesByName.Keys.ToHashSet(StringComparer.Ordinal);
        foreach (var (modelName, model) in options.Models)
        {
            if (!ModelNames.IsValid(modelName))
            {
                builder.AddError($"Model name {ModelNames.Describe(modelName)}", $"Models:{modelName}");
                continue;
            }

            builder.AddResult(_modelDataValidator.Validate(modelName, model));
            if (model.Version is not null && !ModelNames.IsValid(model.Version))
            {
                builder.AddError($"Model '{modelName}': version {ModelNames.Describe(model.Version)}", $"Models:{modelName}:Version");
            }

            if (registered.ContainsKey(modelName))
            {
                if (model.Runtime is not null)
                {
                    builder.AddError($"Model '{modelName}' is added with AddModel and also names the runtime '{model.Runtime}'; remove one of the two.", $"Models:{modelName}:Runtime");
                }
            }
            else if (model.Runtime is null)
            {
                builder.AddError($"Model '{modelName}' is configured but has no model code: set its Runtime (for example \"onnx\") or add it with AddModel<TModel, TFeatures, TOutput>(\"{modelName}\").", $"Models:{modelName}");
                continue;
            }
            else if (!runtimeNames.Contains(model.Runtime))
            {
                var known = runtimeNames.Count == 0 ? "none" : string.Join(", ", runtimeNames.Order(StringComparer.Ordinal));
                builder.AddError($"Model '{modelName}' names the runtime '{model.Runtime}', which is not registered (registered runtimes: {known}); add the runtime's package and its registration, such as AddOnnxRuntime().", $"Models:{modelName}:Runtime");
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
