using Microsoft.Extensions.Configuration;
using LyftServing.OnnxRuntime.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LyftServing.OnnxRuntime.Tests.DependencyInjection;

public sealed class OnnxRuntimeModelServingBuilderExtensionsTests
{
    /// <summary>The typed example of the package README and docs/how-to/serve-onnx-models.md; keep them in sync.</summary>
    [Fact]
    public async Task AddOnnxModel_ReadmeTypedExample_Predicts()
    {
        using var store = new TempStore();
        store.AddVersion("tabular_mlp", "1", "tabular_mlp", Fixtures.TypedTestData("tabular_mlp"));
        var modelsDirectory = store.Root;
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ModelServing:StoreRoot"] = modelsDirectory }); // the app's appsettings

        // <readme-typed>
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing"))
            .AddOnnxModel<TabularFeatures, float>(
                "tabular_mlp",
                onnx => onnx
                    .MapInput<float>("features", (features, row) => features.Features.CopyTo(row))
                    .MapOutput<float>("score", row => row[0]),
                m => m.FromStore(modelsDirectory).RequireSelfTests().ConfigureOnnx(s => s.IntraOpNumThreads = 1));
        // </readme-typed>
        using var host = builder.Build();
        await host.StartAsync();

        // <readme-typed-call>
        var client = host.Services.GetRequiredKeyedService<IModelClient<TabularFeatures, float>>("tabular_mlp");
        float score = await client.PredictAsync(new TabularFeatures([1.28f, 0.76f, 1.02f, 0.33f, 0.40f, -0.72f, 0.01f, 0.73f]));
        // </readme-typed-call>

        Assert.InRange(score, 0f, 1f);
        await host.StopAsync();
    }

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
