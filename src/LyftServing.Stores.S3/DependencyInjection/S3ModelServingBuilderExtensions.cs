using LyftServing;
using LyftServing.Stores.S3;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds S3 model stores.</summary>
public static class S3ModelServingBuilderExtensions
{
    /// <summary>
    /// Lets <c>ModelServing:StoreRoot</c> (and a model's <c>Store</c>) be an S3 location,
    /// <c>s3://bucket/prefix</c>, with its settings in <c>ModelServing:S3</c> (<see cref="S3ModelStoreOptions"/>).
    /// </summary>
    /// <param name="builder">The model serving builder.</param>
    /// <param name="configure">Sets the store's settings in code; configuration overrides them.</param>
    /// <returns>The builder.</returns>
    public static IModelServingBuilder AddS3ModelStore(this IModelServingBuilder builder, Action<S3ModelStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<S3ModelStoreOptions>();
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        return builder.AddModelStoreScheme<S3ModelStoreOptions>(
            "s3",
            "S3",
            CreateStore);
    }

    /// <summary>The store of one location, as the host creates it: its settings, logger and clock (for the cache's retry delays, as for its polls).</summary>
    internal static S3ModelStore CreateStore(IServiceProvider services, Uri location) =>
        new(location, services.GetRequiredService<IOptions<S3ModelStoreOptions>>().Value, services.GetService<ILoggerFactory>())
        {
            TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System,
        };
}
