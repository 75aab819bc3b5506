using Microsoft.Extensions.Hosting;

namespace LyftServing.Testing;

/// <summary>
/// A service's model serving registration (<c>AddModelServing</c>, its models, runtimes and
/// settings), the same call its <c>Program</c> makes, so tests build what the service builds.
/// </summary>
/// <remarks>
/// Implementations need a public parameterless constructor: <see cref="ModelSelfTestDataAttribute"/> creates them.
/// <code>
/// public sealed class FaresSetup : IModelServingSetup
/// {
///     public void Configure(IHostApplicationBuilder builder) => builder.AddFareModels(); // the service's own extension
/// }
/// </code>
/// </remarks>
public interface IModelServingSetup
{
    /// <summary>Adds the service's model serving to a host builder.</summary>
    /// <param name="builder">The builder: a test host's, or the service's <c>WebApplicationBuilder</c>.</param>
    void Configure(IHostApplicationBuilder builder);
}
