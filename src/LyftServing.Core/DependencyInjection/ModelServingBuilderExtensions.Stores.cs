using LyftServing;
using LyftServing.Internal;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Model stores chosen by the scheme of a store location.</summary>
public static partial class ModelServingBuilderExtensions
{
    /// <summary>
    /// Adds a kind of model store that <see cref="ModelServingOptions.StoreRoot"/> or a model's
    /// <see cref="ModelOptions.Store"/> selects by its URI scheme, such as <c>s3://bucket/prefix</c>;
    /// its settings are bound from <c>ModelServing:{settingsSection}</c> (unknown keys rejected).
    /// Store packages call this (<c>AddS3ModelStore()</c>, <c>AddAzureBlobModelStore()</c>).
    /// </summary>
    /// <typeparam name="TSettings">The store's settings type, bound as options (code first, then configuration).</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="scheme">The URI scheme, lowercase, such as <c>s3</c>.</param>
    /// <param name="settingsSection">The key of the store's settings under the model serving configuration, such as <c>S3</c>.</param>
    /// <param name="create">Creates the store for a location; called once per distinct location, when the host starts.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// The host creates one store per distinct location and disposes it (when it is disposable) when
    /// the service provider is disposed. Registering the same scheme again is a no-op.
    /// </remarks>
    public static IModelServingBuilder AddModelStoreScheme<TSettings>(this IModelServingBuilder builder, string scheme, string settingsSection, Func<IServiceProvider, Uri, IModelStore> create)
        where TSettings : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        ArgumentException.ThrowIfNullOrEmpty(settingsSection);
        ArgumentNullException.ThrowIfNull(create);
        if (!StoreLocations.IsScheme(scheme))
        {
            throw new ArgumentException($"'{scheme}' is not a lowercase URI scheme (letters, digits, '+', '-', '.').", nameof(scheme));
        }

        if (Registered<ModelStoreScheme>(builder.Services).Any(s => s.Scheme == scheme))
        {
            return builder;
        }

        builder.Services.AddSingleton(new ModelStoreScheme(scheme, settingsSection, create));
        builder.Services.AddSingleton<IPostConfigureOptions<TSettings>>(sp => new StoreSettingsSetup<TSettings>(sp.GetServices<ModelServingConfiguration>(), settingsSection));
        return builder;
    }
}
