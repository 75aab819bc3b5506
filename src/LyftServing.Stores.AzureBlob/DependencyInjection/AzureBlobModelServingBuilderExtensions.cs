using LyftServing;
using LyftServing.Stores.AzureBlob;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Azure Blob model stores.</summary>
public static class AzureBlobModelServingBuilderExtensions
{
    /// <summary>
    /// Lets <c>ModelServing:StoreRoot</c> (and a model's <c>Store</c>) be an Azure Blob location,
    /// <c>azblob://container/prefix</c>, with its settings in <c>ModelServing:AzureBlob</c> (<see cref="AzureBlobModelStoreOptions"/>).
    /// </summary>
    /// <param name="builder">The model serving builder.</param>
    /// <param name="configure">Sets the store's settings in code; configuration overrides them.</param>
    /// <returns>The builder.</returns>
    public static IModelServingBuilder AddAzureBlobModelStore(this IModelServingBuilder builder, Action<AzureBlobModelStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<AzureBlobModelStoreOptions>();
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        return builder.AddModelStoreScheme<AzureBlobModelStoreOptions>(
            "azblob",
            "AzureBlob",
            CreateStore);
    }

    /// <summary>The store of one location, as the host creates it: its settings, logger and clock (for the cache's retry delays, as for its polls).</summary>
    internal static AzureBlobModelStore CreateStore(IServiceProvider services, Uri location) =>
        new(location, services.GetRequiredService<IOptions<AzureBlobModelStoreOptions>>().Value, services.GetService<ILoggerFactory>())
        {
            TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System,
        };
}
