using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LyftServing.AspNetCore.Internal;

/// <summary>
/// What every protocol's endpoints share, resolved once when they are mapped: the model host, the
/// validated HTTP options, the one body reader, exception mapping and model resolution.
/// </summary>
internal sealed class EndpointServices
{
    private EndpointServices(IModelProvider models, IModelManager manager, ModelServingHttpOptions options, ILogger logger)
    {
        Models = models;
        Manager = manager;
        Options = options;
        Logger = logger;
        Reader = new JsonRequestReader(options);
        Exceptions = new ExceptionProblems(logger, options);
        Resolver = new ModelResolver(models);
    }

    public IModelProvider Models { get; }

    public IModelManager Manager { get; }

    public ModelServingHttpOptions Options { get; }

    public ILogger Logger { get; }

    public JsonRequestReader Reader { get; }

    public ExceptionProblems Exceptions { get; }

    public ModelResolver Resolver { get; }

    /// <summary>Resolves the shared services.</summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="method">The mapping method, for the error when the host is missing.</param>
    /// <exception cref="InvalidOperationException"><c>AddModelServing()</c> was not called.</exception>
    /// <exception cref="OptionsValidationException">The HTTP options are invalid.</exception>
    public static EndpointServices Resolve(IEndpointRouteBuilder endpoints, string method)
    {
        var services = endpoints.ServiceProvider;
        var models = services.GetService<IModelProvider>()
            ?? throw new InvalidOperationException(
                $"{method}() needs the model host: call builder.Services.AddModelServing() (and add or discover models) before building the app.");
        var options = services.GetRequiredService<IOptions<ModelServingHttpOptions>>().Value;
        var validation = new ModelServingHttpOptionsValidator().Validate(Microsoft.Extensions.Options.Options.DefaultName, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(ModelServingHttpOptions), validation.Failures);
        }

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("LyftServing.AspNetCore");
        return new EndpointServices(models, services.GetRequiredService<IModelManager>(), options, logger);
    }

    /// <summary>A route prefix with one leading slash and no trailing one; empty for the root.</summary>
    public static string NormalizePrefix(string prefix)
    {
        prefix = prefix.TrimEnd('/');
        return prefix.Length > 0 && prefix[0] != '/' ? "/" + prefix : prefix;
    }
}
