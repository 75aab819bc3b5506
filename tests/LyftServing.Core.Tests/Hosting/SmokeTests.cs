using LyftServing.Tests.TestModels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LyftServing.Tests.Hosting;

public class SmokeTests
{
    [Fact]
    public async Task PredictAsync_AfterStart_UsesNewestVersion()
    {
        var root = Directory.CreateTempSubdirectory().FullName;
        Directory.CreateDirectory(Path.Combine(root, "lin", "1"));
        File.WriteAllText(Path.Combine(root, "lin", "1", "weight.txt"), "2");
        Directory.CreateDirectory(Path.Combine(root, "lin", "10"));
        File.WriteAllText(Path.Combine(root, "lin", "10", "weight.txt"), "3");
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddModelServing().AddModel<LinearModel, NumberFeatures, double>("lin", m => m.FromStore(root));
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredKeyedService<IModelClient<NumberFeatures, double>>("lin");
        Assert.Equal(6, await client.PredictAsync(new NumberFeatures(2)));
        await host.StopAsync();
    }
}
