using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;

namespace LyftServing.Tests.TestModels;

/// <summary>Builds a generic host with model serving, a fake clock and fake logging, as a service would.</summary>
public static class TestHost
{
    public static HostApplicationBuilder CreateBuilder(TimeProvider? time = null, IDictionary<string, string?>? configuration = null)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Development" });
        if (configuration is not null)
        {
            builder.Configuration.AddInMemoryCollection(configuration);
        }

        builder.Services.AddSingleton<TimeProvider>(time ?? new FakeTimeProvider(DateTimeOffset.Parse("2026-11-27T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
        builder.Services.AddSingleton<ModelTracker>();
        builder.Services.AddLogging(l => l.SetMinimumLevel(LogLevel.Debug));
        builder.Services.AddFakeLogging();
        builder.Services.AddMetrics();
        return builder;
    }

    public static IModelClient<NumberFeatures, double> Client(this IHost host, string name) =>
        host.Services.GetRequiredKeyedService<IModelClient<NumberFeatures, double>>(name);

    public static IModelManager Manager(this IHost host) => host.Services.GetRequiredService<IModelManager>();

    public static ModelTracker Tracker(this IHost host) => host.Services.GetRequiredService<ModelTracker>();

    public static FakeLogCollector Logs(this IHost host) => host.Services.GetFakeLogCollector();

    /// <summary>Waits (in real time, bounded) until the model's status satisfies a condition, woken by its change token.</summary>
    public static async Task WaitForStatusAsync(this IHost host, string model, Func<ModelStatus, bool> condition, TimeSpan? timeout = null)
    {
        var manager = host.Manager();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var registration = ChangeToken.OnChange(() => manager.GetChangeToken(model), () => changed.TrySetResult());
            if (condition(manager.GetStatus(model)))
            {
                return;
            }

            try
            {
                await changed.Task.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Model '{model}' never reached the expected status; last: primary={manager.GetStatus(model).PrimaryVersion}, versions={string.Join(", ", manager.GetStatus(model).Versions.Select(v => $"{v.Version}:{v.State}"))}");
            }
        }
    }
}
