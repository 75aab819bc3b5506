using Microsoft.Extensions.Options;

namespace LyftServing.OnnxRuntime.Internal;

/// <summary>Checks a model's ONNX settings when model code reads them (at each load), naming the configuration key.</summary>
internal sealed class OnnxModelSettingsValidator : IValidateOptions<OnnxModelSettings>
{
    public ValidateOptionsResult Validate(string? name, OnnxModelSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var prefix = $"ModelServing:Models:{name}:{OnnxModelSettings.SectionName}";
        var errors = new List<string>();
        if (options.IntraOpNumThreads is < 0 or > 1024)
        {
            errors.Add($"{prefix}:IntraOpNumThreads must be from 0 (ONNX Runtime chooses) to 1024; it is {options.IntraOpNumThreads}.");
        }

        if (options.InterOpNumThreads is < 0 or > 1024)
        {
            errors.Add($"{prefix}:InterOpNumThreads must be from 0 (ONNX Runtime chooses) to 1024; it is {options.InterOpNumThreads}.");
        }

        if (!Enum.IsDefined(options.GraphOptimizationLevel))
        {
            errors.Add($"{prefix}:GraphOptimizationLevel must be one of {string.Join(", ", Enum.GetNames<OnnxGraphOptimizationLevel>())}.");
        }

        if (!Enum.IsDefined(options.ExecutionProvider))
        {
            errors.Add($"{prefix}:ExecutionProvider must be one of {string.Join(", ", Enum.GetNames<OnnxExecutionProvider>())}.");
        }

        if (options.DeviceId < 0)
        {
            errors.Add($"{prefix}:DeviceId must not be negative; it is {options.DeviceId}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
