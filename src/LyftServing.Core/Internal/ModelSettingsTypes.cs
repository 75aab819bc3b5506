using Microsoft.Extensions.DependencyInjection;

namespace LyftServing.Internal;

/// <summary>Which settings types a model reads: its runtime's, or those its model code takes as <see cref="IModelSettings{TSettings}"/>.</summary>
internal static class ModelSettingsTypes
{
    public static IReadOnlyCollection<Type> Of(IServiceCollection services, string modelName)
    {
        var registration = ModelServingBuilderExtensions.Registered<ModelRegistration>(services).FirstOrDefault(r => r.Name == modelName);
        if (registration is null)
        {
            return [];
        }

        if (registration.Runtime is not null)
        {
            return ModelServingBuilderExtensions.FindRuntime(services, registration.Runtime)?.SettingsType is { } settings ? [settings] : [];
        }

        return OfModelCode(registration.ModelType);
    }

    public static IReadOnlyCollection<Type> OfModelCode(Type modelType) =>
        [.. modelType.GetConstructors()
            .SelectMany(c => c.GetParameters())
            .Select(p => p.ParameterType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IModelSettings<>))
            .Select(t => t.GetGenericArguments()[0])
            .Distinct()];
}
