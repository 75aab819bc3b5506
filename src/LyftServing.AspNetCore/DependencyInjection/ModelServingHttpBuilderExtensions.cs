using LyftServing;
using LyftServing.AspNetCore;
using LyftServing.AspNetCore.Internal;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
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

    /// <summary>
    /// Answers the 401 and 403 of the admin endpoints (<c>MapModelServingAdmin()</c>) with a body:
    /// problem details (<see cref="ModelServingProblemTypes.Unauthorized"/>,
    /// <see cref="ModelServingProblemTypes.Forbidden"/>), or <c>{"error": "…"}</c> on the Open
    /// Inference Protocol's repository extension, instead of the empty body ASP.NET Core's
    /// authorization middleware leaves. Other endpoints' answers are unchanged.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddModelServing()</c>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Decorates the app's <see cref="IAuthorizationMiddlewareResultHandler"/> registered before this
    /// call (ASP.NET Core's otherwise), which still challenges and forbids (status, <c>WWW-Authenticate</c>);
    /// the body is written only where that left the response unstarted. A handler registered after
    /// this call replaces it. Calling it again does nothing.
    /// </remarks>
    public static IModelServingBuilder AddAdminAuthorizationProblems(this IModelServingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(AuthorizationProblemsHandler)))
        {
            return builder;
        }

        var previous = services.LastOrDefault(d => d.ServiceType == typeof(IAuthorizationMiddlewareResultHandler) && !d.IsKeyedService);
        services.Add(ServiceDescriptor.Describe(
            typeof(AuthorizationProblemsHandler),
            provider => new AuthorizationProblemsHandler(previous is null ? new AuthorizationMiddlewareResultHandler() : (IAuthorizationMiddlewareResultHandler)Create(provider, previous)),
            previous?.Lifetime ?? ServiceLifetime.Singleton));
        services.Add(ServiceDescriptor.Describe(
            typeof(IAuthorizationMiddlewareResultHandler),
            static provider => provider.GetRequiredService<AuthorizationProblemsHandler>(),
            previous?.Lifetime ?? ServiceLifetime.Singleton));
        return builder;

        static object Create(IServiceProvider provider, ServiceDescriptor descriptor) =>
            descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(provider)
            ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!);
    }

    private static OptionsBuilder<ModelServingHttpOptions> AddValidation(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelServingHttpOptions>, ModelServingHttpOptionsValidator>());
        return services.AddOptions<ModelServingHttpOptions>().ValidateOnStart();
    }
}
