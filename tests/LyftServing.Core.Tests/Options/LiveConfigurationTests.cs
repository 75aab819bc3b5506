using LyftServing.Tests.TestModels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LyftServing.Tests.Options;

/// <summary>A configuration change applies to the running models; an invalid one is rejected and the last good options stay.</summary>
public sealed class LiveConfigurationTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    private (IHost Host, IConfigurationRoot Configuration) Build(params (string Key, string? Value)[] entries)
    {
        var configuration = new Dictionary<string, string?> { ["ModelServing:StoreRoot"] = _store.Root };
        foreach (var (key, value) in entries)
        {
            configuration["ModelServing:" + key] = value;
        }

        var builder = TestHost.CreateBuilder(configuration: configuration);
        builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing")).AddModel<LinearModel, NumberFeatures, double>("lin");
        var host = builder.Build();
        return (host, (IConfigurationRoot)host.Services.GetRequiredService<IConfiguration>());
    }

    private static void Change(IConfigurationRoot configuration, params (string Key, string? Value)[] entries)
    {
        foreach (var (key, value) in entries)
        {
            configuration["ModelServing:" + key] = value;
        }

        configuration.Reload();
    }

    [Fact]
    public async Task Reload_PinChanged_TheNewPinServesWithoutARestart()
    {
        _store.AddVersion("lin", "1", weight: 1);
        _store.AddVersion("lin", "2", weight: 2);
        var (host, configuration) = Build();
        using var _ = host;
        await host.StartAsync();

        Change(configuration, ("Models:lin:Version", "1"));

        await host.WaitForStatusAsync("lin", s => s.PrimaryVersion == "1");
        Assert.Equal(1, await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        Assert.Equal("1", host.Services.GetRequiredService<IOptionsMonitor<ModelServingOptions>>().CurrentValue.Models["lin"].Version);
        Assert.Contains(host.Logs().GetSnapshot(), r => r.Id.Name == "ConfigurationApplied");
        await host.StopAsync();
    }

    [Fact]
    public async Task Reload_LimitAdded_AppliesToTheNextCalls()
    {
        _store.AddVersion("lin", "1", weight: 2);
        var (host, configuration) = Build();
        using var _ = host;
        await host.StartAsync();
        var tracker = host.Tracker();

        Change(configuration, ("Models:lin:Limits:MaxConcurrency", "1"), ("Models:lin:Limits:RetryAfter", "00:00:07"));
        var gate = new SemaphoreSlim(0);
        tracker.PredictGate = gate;
        var running = Task.Run(() => host.Client("lin").PredictAsync(new NumberFeatures(1)).AsTask());
        await tracker.PredictEntered.WaitAsync(TimeSpan.FromSeconds(10));
        tracker.PredictGate = null;

        var refused = await Assert.ThrowsAsync<ModelOverloadedException>(async () => await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        Assert.Equal(TimeSpan.FromSeconds(7), refused.RetryAfter);
        gate.Release();
        Assert.Equal(2, await running);
        await host.StopAsync();
    }

    [Fact]
    public async Task Reload_ShadowAddedAndItsRateChanged_Applied()
    {
        _store.AddVersion("lin", "1", weight: 2);
        _store.AddVersion("lin", "2", weight: 2);
        var (host, configuration) = Build(("Models:lin:Version", "1"));
        using var _ = host;
        await host.StartAsync();

        Change(configuration, ("Models:lin:Shadow:Versions:0", "2"), ("Models:lin:Shadow:SampleRates:2", "0.5"));
        await host.WaitForStatusAsync("lin", s => s.Shadows.Count == 1);
        Assert.Equal(0.5, host.Manager().GetStatus("lin").Shadows.Single().SampleRate);
        Change(configuration, ("Models:lin:Shadow:SampleRates:2", "1"));

        await host.WaitForStatusAsync("lin", s => s.Shadows.Single().SampleRate == 1);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("Models:lin:Version", "../2", "ModelServing:Models:lin:Version")]
    [InlineData("Models:lin:Limits:MaxConcurrency", "0", "MaxConcurrency")]
    [InlineData("Models:lin:Shadow:SampleRate", "2", "SampleRate")]
    [InlineData("Models:lin:Verison", "2", "ModelServing:Models:lin:Verison")]
    [InlineData("Models:lin:PollInterval", "often", "ModelServing:Models:lin:PollInterval")]
    public async Task Reload_InvalidChange_RejectedWithALogAndTheLastGoodOptionsStay(string key, string value, string named)
    {
        _store.AddVersion("lin", "1", weight: 1);
        _store.AddVersion("lin", "2", weight: 2);
        var (host, configuration) = Build(("Models:lin:Version", "1"));
        using var _ = host;
        await host.StartAsync();

        Change(configuration, (key, value));

        var rejected = Assert.Single(host.Logs().GetSnapshot(), r => r.Id.Name == "ConfigurationRejected");
        Assert.True(rejected.Message.Contains(named, StringComparison.Ordinal), rejected.Message);
        Assert.Equal("1", host.Services.GetRequiredService<IOptionsMonitor<ModelServingOptions>>().CurrentValue.Models["lin"].Version);
        await host.Manager().RefreshAsync("lin");
        Assert.Equal(1, await host.Client("lin").PredictAsync(new NumberFeatures(1)));
        await host.StopAsync();
    }
}
