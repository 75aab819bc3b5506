using Microsoft.Extensions.DependencyInjection;

namespace LyftServing;

/// <summary>
/// Configures model serving; returned by <c>AddModelServing()</c>. Models, runtimes and features
/// are added with extension methods (<c>AddModel</c>, <c>AddModelRuntime</c>, runtime packages'
/// <c>AddOnnxRuntime</c> and so on).
/// </summary>
public interface IModelServingBuilder
{
    /// <summary>Gets the service collection the builder adds to.</summary>
    IServiceCollection Services { get; }
}
