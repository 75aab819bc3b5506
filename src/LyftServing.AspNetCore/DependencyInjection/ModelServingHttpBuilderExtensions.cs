using LyftServing;
using LyftServing.AspNetCore;
using LyftServing.AspNetCore.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures the HTTP endpoints of model serving (<see cref="ModelServingHttpOptions"/>).</summary>
public static class ModelServingHttpBuilderExtensions
{
    /// <summary>Configures the HTTP endpoints in code; the options are validated at start-up.</summary>
    /// <param name="builder">The builder returned by <c>AddModelServing()</c>.</param>
    /// <param name="configure">Sets options.</param>
    /// <returns>The builder.</returns>
    public static IModelServingBuilder ConfigureHttp(this IModelServingBuilder builder, Action<ModelServingHttpOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        AddValidation(builder.Services).Configure(configure);
        return builder;
    }

    /// <summary>
    /// Binds the HTTP endpoints' options to a configuration section (for example
    /// <c>Configuration.GetSection("ModelServingHttp")</c>), rejecting unknown keys; validated at start-up.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddModelServing()</c>.</param>
    /// <param name="configuration">The section. It cannot be inside the <c>ModelServing</c> section, whose unknown keys Core rejects.</param>
    /// <returns>The builder.</returns>
    public static IModelServingBuilder ConfigureHttp(this IModelServingBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        AddValidation(builder.Services).Bind(configuration, o => o.ErrorOnUnknownConfiguration = true);
        return builder;
    }

    private static OptionsBuilder<ModelServingHttpOptions> AddValidation(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelServingHttpOptions>, ModelServingHttpOptionsValidator>());
        return services.AddOptions<ModelServingHttpOptions>().ValidateOnStart();
    }
}
