using LyftServing;
using LyftService.Models;

namespace LyftService;

/// <summary>The service's models: called by Program and by the tests, so both serve the same.</summary>
public static class LyftServiceModels
{
    /// <summary>Adds model serving (configured from the <c>ModelServing</c> section) and the service's models.</summary>
    /// <param name="builder">The host builder.</param>
    /// <returns>The model serving builder, to add more.</returns>
    public static IModelServingBuilder AddLyftServiceModels(this IHostApplicationBuilder builder) =>
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing"))
            // Versions in {StoreRoot}/fare/{version}/; a version serves only when its testdata.json passes.
            .AddModel<FareModel, Trip, decimal>("fare", m => m.RequireSelfTests());
}
