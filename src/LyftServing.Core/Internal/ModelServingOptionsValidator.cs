using Microsoft.Extensions.Options;

namespace LyftServing.Internal;

[OptionsValidator]
internal sealed partial class ModelServingOptionsDataValidator : IValidateOptions<ModelServingOptions>;

[OptionsValidator]
internal sealed partial class ModelOptionsDataValidator : IValidateOptions<ModelOptions>;

/// <summary>
/// Checks what data annotations cannot: model and version names, and that every model has model
/// code (a registration or a registered runtime). Runs at start-up (<c>ValidateOnStart</c>).
/// </summary>
internal sealed class ModelServingOptionsValidator(
    IEnumerable<ModelRegistration> registrations,
    IEnumerable<ModelRuntimeRegistration> runtimes) : IValidateOptions<ModelServingOptions>
{
    private readonly ModelServingOptionsDataValidator _dataValidator = new();
    private readonly ModelOptionsDataValidator _modelDataValidator = new();

    public ValidateOptionsResult Validate(string? name, ModelServingOptions options)
    {
        var builder = new ValidateOptionsResultBuilder();
        builder.AddResult(_dataValidator.Validate(name, options));

        var registered = registrations.ToDictionary(r => r.Name, StringComparer.Ordinal);
        var runtimeNames = runtimes.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
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
            }
            else if (!runtimeNames.Contains(model.Runtime))
            {
                var known = runtimeNames.Count == 0 ? "none" : string.Join(", ", runtimeNames.Order(StringComparer.Ordinal));
                builder.AddError($"Model '{modelName}' names the runtime '{model.Runtime}', which is not registered (registered runtimes: {known}); add the adapter package and its registration, such as AddOnnxRuntime().", $"Models:{modelName}:Runtime");
            }
        }

        return builder.Build();
    }
}
