using LyftServing.OnnxRuntime.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LyftServing.OnnxRuntime.Tests.TestSupport;

/// <summary>Creates the onnx runtime's model code directly, as its registrations do.</summary>
internal static class OnnxModelCode
{
    /// <summary>Creates the model code of a typed ONNX model as <c>AddOnnxModel&lt;TFeatures, TOutput&gt;</c> registers it.</summary>
    public static OnnxTypedModel<TFeatures, TOutput> Typed<TFeatures, TOutput>(IServiceProvider services, string modelName, Action<OnnxMappingBuilder<TFeatures, TOutput>> map)
    {
        var mapping = new OnnxMappingBuilder<TFeatures, TOutput>(modelName);
        map(mapping);
        return new OnnxTypedModel<TFeatures, TOutput>(mapping.Build(), services.GetRequiredService<IModelSettings<OnnxModelSettings>>(), services.GetRequiredService<ILoggerFactory>());
    }
}
