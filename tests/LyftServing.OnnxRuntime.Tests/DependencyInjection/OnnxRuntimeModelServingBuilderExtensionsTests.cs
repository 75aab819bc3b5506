using LyftServing.OnnxRuntime.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace LyftServing.OnnxRuntime.Tests.DependencyInjection;

public sealed class OnnxRuntimeModelServingBuilderExtensionsTests
{
    [Fact]
    public void AddOnnxRuntime_CalledTwice_RegistersOnce()
    {
        var services = new ServiceCollection();
        var builder = services.AddModelServing();

        builder.AddOnnxRuntime().AddOnnxRuntime();

        Assert.Single(services, d => d.ImplementationInstance?.GetType().Name == "ModelRuntimeRegistration");
    }

    [Fact]
    public void AddOnnxModel_SameNameTwice_Throws()
    {
        var builder = new ServiceCollection().AddModelServing().AddOnnxModel("fraud");

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddOnnxModel<TabularFeatures, float>("fraud", Mappings.Tabular));

        Assert.Equal("A model named 'fraud' is already registered; model names must be unique.", error.Message);
    }

    [Fact]
    public void AddOnnxModel_MappingWithoutOutput_ThrowsAtRegistration()
    {
        var builder = new ServiceCollection().AddModelServing();

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddOnnxModel<TabularFeatures, float>(
            "tabular_mlp", onnx => onnx.MapInput<float>("features", (f, row) => f.Features.CopyTo(row))));

        Assert.Equal("The ONNX mapping of model 'tabular_mlp' maps no output; call MapOutput or MapOutputs.", error.Message);
    }

    [Fact]
    public void AddOnnxModel_InputMappedTwice_Throws()
    {
        var builder = new ServiceCollection().AddModelServing();

        var error = Assert.Throws<ArgumentException>(() => builder.AddOnnxModel<TabularFeatures, float>(
            "tabular_mlp", onnx => onnx
                .MapInput<float>("features", (f, row) => f.Features.CopyTo(row))
                .MapInput<float>("features", (f, row) => f.Features.CopyTo(row))));

        Assert.StartsWith("Input 'features' of model 'tabular_mlp' is already mapped.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddOnnxModel_InvalidName_Throws()
    {
        var builder = new ServiceCollection().AddModelServing();

        Assert.Throws<ArgumentException>(() => builder.AddOnnxModel<TabularFeatures, float>("Bad Name", Mappings.Tabular));
    }
}
