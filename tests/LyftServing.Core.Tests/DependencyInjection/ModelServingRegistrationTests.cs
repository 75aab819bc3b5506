using LyftServing.Tests.TestModels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LyftServing.Tests.DependencyInjection;

public sealed class ModelServingRegistrationTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    private Dictionary<string, string?> Config(params (string Key, string? Value)[] entries)
    {
        var config = new Dictionary<string, string?> { ["ModelServing:StoreRoot"] = _store.Root };
        foreach (var (key, value) in entries)
        {
            config["ModelServing:" + key] = value;
        }

        return config;
    }

    [Theory]
    [InlineData("Driver_ETA")]
    [InlineData("../../etc/passwd")]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("a b")]
    public void AddModel_InvalidName_ThrowsNamingTheRule(string name)
    {
        var services = new ServiceCollection();

        var error = Assert.ThrowsAny<ArgumentException>(() => services.AddModelServing().AddModel<LinearModel, NumberFeatures, double>(name));

        if (name.Length > 0)
        {
            Assert.Equal($"'{name}' is not a valid name: use 1 to 128 characters of lowercase letters, digits, '_', '.' and '-', starting with a letter or digit (^[a-z0-9][a-z0-9_.-]{{0,127}}$). (Parameter 'name')", error.Message);
        }
    }

    [Fact]
    public void AddModel_DuplicateName_Throws()
    {
        var builder = new ServiceCollection().AddModelServing().AddModel<LinearModel, NumberFeatures, double>("lin");

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddModel<LinearModel, NumberFeatures, double>("lin"));

        Assert.Equal("A model named 'lin' is already registered; model names must be unique.", error.Message);
    }

    [Fact]
    public void AddModelServing_CalledTwice_RegistersServicesOnce()
    {
        var services = new ServiceCollection();

        services.AddModelServing();
        services.AddModelServing();

        Assert.Single(services, d => d.ServiceType == typeof(IModelProvider));
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
    }

    [Fact]
    public async Task Start_ConfiguredModelWithInvalidName_FailsValidation()
    {
        var builder = TestHost.CreateBuilder(configuration: Config(("Models:Bad_Name:Version", "1")));
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing"));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Model name 'Bad_Name' is not a valid name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_StoreWithAnUnregisteredScheme_FailsNamingThePackageToAdd()
    {
        var builder = TestHost.CreateBuilder(configuration: Config(("Models:lin:Store", "s3://models/prod")));
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing")).AddModel<LinearModel, NumberFeatures, double>("lin");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("'ModelServing:Models:lin:Store': the store location 's3://models/prod' has the scheme 's3', which no store package registered", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddS3ModelStore()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_StoreSchemeRegistered_OneStorePerLocationWithItsSettingsBound()
    {
        _store.AddVersion("lin", "1", weight: 1);
        var created = new List<(Uri Location, string? Root)>();
        var builder = TestHost.CreateBuilder(configuration: Config(("Models:lin:Store", "test://bucket/prefix"), ("Models:other:Store", "test://bucket/prefix"), ("Test:Root", _store.Root)));
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing"))
            .AddModel<LinearModel, NumberFeatures, double>("lin")
            .AddModel<LinearModel, NumberFeatures, double>("other", m => m.Optional())
            .AddModelStoreScheme<TestStoreSettings>("test", "Test", (services, location) =>
            {
                var root = services.GetRequiredService<IOptions<TestStoreSettings>>().Value.Root;
                created.Add((location, root));
                return new FileSystemModelStore(root!);
            });
        using var host = builder.Build();

        await host.StartAsync();

        Assert.Equal(1.0, await host.Services.GetRequiredService<IModelProvider>().GetClient<NumberFeatures, double>("lin").PredictAsync(new NumberFeatures(1)));
        var (location, root) = Assert.Single(created);
        Assert.Equal(new Uri("test://bucket/prefix"), location);
        Assert.Equal(_store.Root, root);
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_StoreSettingMisspelled_FailsNamingTheKey()
    {
        var builder = TestHost.CreateBuilder(configuration: Config(("StoreRoot", "test://bucket"), ("Test:Rooot", "/x")));
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing"))
            .AddModelStoreScheme<TestStoreSettings>("test", "Test", (_, _) => new FileSystemModelStore(_store.Root));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await host.StartAsync();
            _ = host.Services.GetRequiredService<IOptions<TestStoreSettings>>().Value;
        });

        Assert.Contains("Rooot", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_UnknownConfigurationKey_FailsNamingTheKey()
    {
        _store.AddVersion("lin", "1", weight: 1);
        var builder = TestHost.CreateBuilder(configuration: Config(("Models:lin:Verison", "1")));
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing")).AddModel<LinearModel, NumberFeatures, double>("lin");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("'ModelServing:Models:lin:Verison' is not a known setting", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LyftServing.ModelOptions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ConfigurationSectionMissing_FailsNamingTheSection()
    {
        _store.AddVersion("lin", "1", weight: 1);
        var builder = TestHost.CreateBuilder(configuration: Config());
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServng")).AddModel<LinearModel, NumberFeatures, double>("lin", m => m.FromStore(_store.Root));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("'ModelServng'", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ConfigurationPinsVersion_OverridesBuilderDefault()
    {
        _store.AddVersion("lin", "1", weight: 1);
        _store.AddVersion("lin", "2", weight: 2);
        var builder = TestHost.CreateBuilder(configuration: Config(("Models:lin:Version", "1")));
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing"))
            .AddModel<LinearModel, NumberFeatures, double>("lin", m => m.PinVersion("2"));
        using var host = builder.Build();

        await host.StartAsync();

        Assert.Equal("1", host.Manager().GetStatus("lin").PrimaryVersion);
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_ConfiguredModelWithoutCode_FailsWithHowToFix()
    {
        var builder = TestHost.CreateBuilder(configuration: Config(("Models:orphan:Version", "1")));
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing"));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Model 'orphan' is configured but has no model code: set its Runtime (for example \"onnx\") or add it with AddModel<TModel, TFeatures, TOutput>(\"orphan\").", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ConfiguredModelWithUnknownRuntime_FailsListingRegisteredRuntimes()
    {
        var builder = TestHost.CreateBuilder(configuration: Config(("Models:fraud:Runtime", "onnx")));
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing")).AddModelRuntime<LinearModel, NumberFeatures, double>("linear");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Model 'fraud' names the runtime 'onnx', which is not registered (registered runtimes: linear); add the runtime's package and its registration, such as AddOnnxRuntime().", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ModelDeclaredInConfigurationWithRuntime_ServesAsKeyedClient()
    {
        _store.AddVersion("fare", "1", weight: 4);
        var builder = TestHost.CreateBuilder(configuration: Config(("Models:fare:Runtime", "linear")));
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing")).AddModelRuntime<LinearModel, NumberFeatures, double>("linear");
        using var host = builder.Build();

        await host.StartAsync();

        Assert.Equal(8, await host.Client("fare").PredictAsync(new NumberFeatures(2)));
        Assert.Equal(["fare"], host.Services.GetRequiredService<IModelProvider>().ModelNames);
        Assert.Equal("linear", host.Manager().GetStatus("fare").Runtime);
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_DiscoverModels_ServesFoldersWhoseManifestNamesARuntime()
    {
        _store.AddVersion("eta", "1", weight: 2, manifest: """{"runtime": "linear"}""");
        _store.AddVersion("no_manifest", "1", weight: 2);
        _store.AddVersion("other", "1", weight: 2, manifest: """{"runtime": "tensorflow"}""");
        var builder = TestHost.CreateBuilder(configuration: Config(("DiscoverModels", "true")));
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing")).AddModelRuntime<LinearModel, NumberFeatures, double>("linear");
        using var host = builder.Build();

        await host.StartAsync();

        var provider = host.Services.GetRequiredService<IModelProvider>();
        Assert.Equal(["eta"], provider.ModelNames);
        Assert.Equal(6, await host.Client("eta").PredictAsync(new NumberFeatures(3)));
        var warnings = host.Logs().GetSnapshot().Where(r => r.Id.Name == "ModelNotDiscovered").Select(r => r.Message).ToList();
        Assert.Contains("Not serving the store folder 'no_manifest': its newest version has no model.json naming a runtime", warnings);
        Assert.Contains("Not serving the store folder 'other': its model.json names the runtime 'tensorflow', which is not registered", warnings);
        await host.StopAsync();
    }

    [Fact]
    public async Task GetClient_WrongTypes_ThrowsNamingTheModelTypes()
    {
        _store.AddVersion("lin", "1", weight: 1);
        var builder = TestHost.CreateBuilder();
        builder.Services.AddModelServing().AddModel<LinearModel, NumberFeatures, double>("lin", m => m.FromStore(_store.Root));
        using var host = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<IModelProvider>().GetClient<string, double>("lin"));

        Assert.Equal("Model 'lin' takes NumberFeatures and returns Double; it was requested as IModelClient<String, Double>.", error.Message);
    }

    [Fact]
    public async Task KeyedClient_UnknownModel_ThrowsModelNotFoundOnFirstCall()
    {
        var builder = TestHost.CreateBuilder();
        builder.Services.AddModelServing();
        using var host = builder.Build();

        var client = host.Client("ghost");

        await Assert.ThrowsAsync<ModelNotFoundException>(async () => await client.PredictAsync(new NumberFeatures(1)));
    }

    [Fact]
    public async Task ModelSettings_BoundPerModelFromConfiguration_ModelCodeReadsThem()
    {
        _store.AddVersion("lin", "1", weight: 1);
        var builder = TestHost.CreateBuilder(configuration: Config(("Models:lin:Tuning:Threads", "4")));
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing"))
            .AddModelSettings<TuningSettings>("Tuning")
            .AddModel<TunedModel, NumberFeatures, double>("lin");
        using var host = builder.Build();

        await host.StartAsync();

        Assert.Equal(4, await host.Services.GetRequiredKeyedService<IModelClient<NumberFeatures, double>>("lin").PredictAsync(new NumberFeatures(0)));
        await host.StopAsync();
    }

    [Fact]
    public async Task ModelSettings_SetInCodePropertiesAndConfiguration_ConfigurationWinsThenProperties()
    {
        _store.AddVersion("lin", "1", weight: 1);
        _store.AddVersion("props", "1", weight: 1);
        File.WriteAllText(Path.Combine(_store.Root, "props", "1", "model.json"), """{"properties": {"threads": 6, "label": "from model.json"}}""");
        File.WriteAllText(Path.Combine(_store.Root, "lin", "1", "model.json"), """{"properties": {"threads": 6}}""");
        var builder = TestHost.CreateBuilder(configuration: Config(("Models:lin:Tuning:Threads", "4")));
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing"))
            .AddModelSettings<TuningSettings>("Tuning")
            .AddModel<TunedModel, NumberFeatures, double>("lin", m => m.ConfigureSettings<TuningSettings>(s => s.Threads = 8))
            .AddModel<TunedModel, NumberFeatures, double>("props", m => m.ConfigureSettings<TuningSettings>(s => s.Threads = 8))
            .AddModel<TunedModel, NumberFeatures, double>("code", m => m.ConfigureSettings<TuningSettings>(s => s.Threads = 8));
        _store.AddVersion("code", "1", weight: 1);
        using var host = builder.Build();

        await host.StartAsync();

        Assert.Equal(4, await Predict(host, "lin"));
        Assert.Equal(6, await Predict(host, "props"));
        Assert.Equal(8, await Predict(host, "code"));
        await host.StopAsync();
    }

    [Fact]
    public async Task ModelSettings_UnknownConfigurationKey_StartFailsNamingTheSection()
    {
        _store.AddVersion("lin", "1", weight: 1);
        var builder = TestHost.CreateBuilder(configuration: Config(("Models:lin:Tuning:Thread", "4")));
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing"))
            .AddModelSettings<TuningSettings>("Tuning")
            .AddModel<TunedModel, NumberFeatures, double>("lin");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("'ModelServing:Models:lin:Tuning' is invalid", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Thread'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelSettings_InvalidValue_StartFailsNamingTheKeyAndValue()
    {
        _store.AddVersion("lin", "1", weight: 1);
        var builder = TestHost.CreateBuilder(configuration: Config(("Models:lin:Tuning:Threads", "0")));
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing"))
            .AddModelSettings<TuningSettings>("Tuning")
            .AddModel<TunedModel, NumberFeatures, double>("lin");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("ModelServing:Models:lin:Tuning:Threads must be between 1 and 64; it is 0.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelSettings_UnknownPropertyInModelJson_VersionFailsToLoadNamingTheProperty()
    {
        _store.AddVersion("lin", "1", weight: 1);
        File.WriteAllText(Path.Combine(_store.Root, "lin", "1", "model.json"), """{"properties": {"treads": 2}}""");
        var builder = TestHost.CreateBuilder(configuration: Config());
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing"))
            .AddModelSettings<TuningSettings>("Tuning")
            .AddModel<TunedModel, NumberFeatures, double>("lin");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => host.StartAsync());

        Assert.Contains("'model.json properties' is invalid", error.Message, StringComparison.Ordinal);
        Assert.Contains("'treads'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigureSettings_ModelThatDoesNotReadThem_Throws()
    {
        var services = new ServiceCollection().AddModelServing().AddModelSettings<TuningSettings>("Tuning");

        var error = Assert.Throws<InvalidOperationException>(() =>
            services.AddModel<LinearModel, NumberFeatures, double>("lin", m => m.ConfigureSettings<TuningSettings>(s => s.Threads = 2)));

        Assert.Equal("Model 'lin' does not read TuningSettings, so these settings would be ignored; it reads no settings.", error.Message);
    }

    [Fact]
    public async Task ModelSettings_ConfiguredForModelThatDoesNotReadThem_StartFails()
    {
        _store.AddVersion("lin", "1", weight: 1);
        var builder = TestHost.CreateBuilder(configuration: Config(("Models:lin:Tuning:Threads", "4")));
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing"))
            .AddModelSettings<TuningSettings>("Tuning")
            .AddModel<LinearModel, NumberFeatures, double>("lin");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("'ModelServing:Models:lin:Tuning' sets TuningSettings, which model 'lin' does not read (it reads no settings); remove the section.", error.Message, StringComparison.Ordinal);
    }

    private static async Task<double> Predict(IHost host, string model) =>
        await host.Services.GetRequiredKeyedService<IModelClient<NumberFeatures, double>>(model).PredictAsync(new NumberFeatures(0));

    [Theory]
    [InlineData("../1")]
    [InlineData("UPPER")]
    public async Task Start_ConfiguredShadowVersionInvalid_FailsNamingTheKeyPathAndTheStoreNeverSeesIt(string version)
    {
        // Defect 5: every version name, from every source, is checked before use.
        var store = new RecordingStore();
        var builder = TestHost.CreateBuilder(configuration: Config(("Models:lin:Shadow:Versions:0", version)));
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing"))
            .AddModel<LinearModel, NumberFeatures, double>("lin", m => m.FromStore(store));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("ModelServing:Models:lin:Shadow:Versions:0", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{version}' is not a valid name", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(version, store.Requested);
    }

    [Theory]
    [InlineData("Models:lin:Shadow:Versoins:0", "2", "ModelServing:Models:lin:Shadow:Versoins")]
    [InlineData("Models:lin:Limits:MaxConcurency", "2", "ModelServing:Models:lin:Limits:MaxConcurency")]
    [InlineData("PollIntervall", "00:00:05", "ModelServing:PollIntervall")]
    [InlineData("Models:lin:Batching:Enabled:Now", "true", "ModelServing:Models:lin:Batching:Enabled:Now")]
    public async Task Start_UnknownNestedKey_FailsNamingItsFullPath(string key, string value, string path)
    {
        _store.AddVersion("lin", "1", weight: 1);
        var builder = TestHost.CreateBuilder(configuration: Config((key, value)));
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing")).AddModel<LinearModel, NumberFeatures, double>("lin");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"'{path}' is not a known setting", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Models:lin:Version", "2", "Models:lin:Shadow:Versions:0", "2", "also listed as its shadow")]
    [InlineData("Models:lin:RequireSelfTests", "true", "Models:lin:SelfTestsReportOnly", "true", "choose one")]
    [InlineData("Models:lin:Shadow:SampleRates:Two", "0.5", "Models:lin:Shadow:Versions:0", "2", "ModelServing:Models:lin:Shadow:SampleRates:Two")]
    [InlineData("Models:lin:Batching:MaxBatchSize", "64", "Models:lin:Batching:QueueLimit", "8", "no full batch could form")]
    public async Task Start_ContradictoryOrInvalidSettings_FailNamingTheKey(string key1, string value1, string key2, string value2, string expected)
    {
        _store.AddVersion("lin", "1", weight: 1);
        _store.AddVersion("lin", "2", weight: 1);
        var builder = TestHost.CreateBuilder(configuration: Config((key1, value1), (key2, value2)));
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing")).AddModel<LinearModel, NumberFeatures, double>("lin");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    /// <summary>A store with versions 1 and 2 of every model that records the versions it was asked for.</summary>
    private sealed class RecordingStore : IModelStore
    {
        private readonly string _root = Directory.CreateTempSubdirectory("lyftserving-recording-").FullName;

        public System.Collections.Concurrent.ConcurrentBag<string> Requested { get; } = [];

        public ValueTask<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<string>>(["lin"]);

        public ValueTask<IReadOnlyList<ModelVersionInfo>> ListVersionsAsync(string modelName, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<ModelVersionInfo>>([new ModelVersionInfo("1", "a"), new ModelVersionInfo("2", "b")]);

        public ValueTask<StoredDecision?> ReadDecisionAsync(string modelName, CancellationToken cancellationToken) => ValueTask.FromResult<StoredDecision?>(null);

        public ValueTask<bool> TryWriteDecisionAsync(string modelName, ReadOnlyMemory<byte> content, string? expectedStamp, CancellationToken cancellationToken) =>
            throw new NotSupportedException("A read-only store.");

        public async ValueTask<ModelArtifact> GetArtifactAsync(string modelName, string version, CancellationToken cancellationToken)
        {
            Requested.Add(version);
            var directory = Path.Combine(_root, modelName, version.Replace('/', '_'));
            Directory.CreateDirectory(directory);
            await File.WriteAllTextAsync(Path.Combine(directory, "weight.txt"), "1", cancellationToken);
            return await ModelArtifact.FromDirectoryAsync(modelName, "1", directory, cancellationToken);
        }
    }

    public sealed class TuningSettings
    {
        [System.ComponentModel.DataAnnotations.Range(1, 64)]
        public int Threads { get; set; } = 1;

        public string? Label { get; set; }
    }

    /// <summary>Model code that reads its settings when a version loads and predicts its thread count.</summary>
    public sealed class TunedModel(IModelSettings<TuningSettings> settings) : IModel<NumberFeatures, double>
    {
        private TuningSettings? _loaded;

        public ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
        {
            _loaded = settings.Read(artifact);
            return ValueTask.CompletedTask;
        }

        public double Predict(NumberFeatures features) => _loaded!.Threads;
    }

    public sealed class TestStoreSettings
    {
        public string? Root { get; set; }
    }
}
