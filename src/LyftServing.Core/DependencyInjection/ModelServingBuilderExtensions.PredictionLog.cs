using LyftServing;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static partial class ModelServingBuilderExtensions
{
    /// <summary>Adds a prediction sink, created through dependency injection (a singleton).</summary>
    /// <typeparam name="TSink">The sink.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IModelServingBuilder AddPredictionSink<TSink>(this IModelServingBuilder builder)
        where TSink : class, IPredictionSink
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPredictionSink, TSink>());
        return builder;
    }

    /// <summary>
    /// Adds the JSON-lines prediction sink (<see cref="JsonLinesPredictionSink"/>): size-rotated
    /// files of one JSON object per record. Models record only when their
    /// <c>PredictionLog:SampleRate</c> is above zero (<c>ModelBuilder.LogPredictions</c>).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the directory, file size and retention.</param>
    /// <returns>The builder.</returns>
    public static IModelServingBuilder AddJsonLinesPredictionSink(this IModelServingBuilder builder, Action<JsonLinesPredictionSinkOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<JsonLinesPredictionSinkOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return builder.AddPredictionSink<JsonLinesPredictionSink>();
    }
}
