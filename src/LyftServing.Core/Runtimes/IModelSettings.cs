namespace LyftServing;

/// <summary>
/// The settings of a model for one version, of a type registered with <c>AddModelSettings</c>
/// or <c>AddModelRuntime</c>: the defaults of the type, then what code sets
/// (<c>ModelBuilder.ConfigureSettings</c>), then the version's <c>model.json</c> <c>properties</c>,
/// then configuration (<c>ModelServing:Models:{model}:{section}</c>), which wins. Model code takes
/// it in its constructor and reads the settings in <c>LoadAsync</c>.
/// </summary>
/// <typeparam name="TSettings">The settings type.</typeparam>
/// <remarks>
/// Unknown keys in <c>properties</c> or configuration are errors; the settings are validated with
/// their data annotations (and <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/>)
/// and any registered <c>IValidateOptions&lt;TSettings&gt;</c>. Errors name the key path, such as
/// <c>ModelServing:Models:fraud:Onnx:IntraOpNumThreads</c>. Configuration is also checked at
/// start-up, for every model the host knows then. Thread-safe.
/// </remarks>
public interface IModelSettings<out TSettings>
    where TSettings : class
{
    /// <summary>Gets the settings of the version being loaded.</summary>
    /// <param name="artifact">The version.</param>
    /// <returns>A new settings object for this version.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A key is unknown, a value does not convert, or the settings are invalid; the message names the key path.</exception>
    TSettings Read(ModelArtifact artifact);
}
