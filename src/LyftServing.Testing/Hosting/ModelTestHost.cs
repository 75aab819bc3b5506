using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LyftServing.Testing;

/// <summary>
/// A host for tests that builds the service collection a service builds (its own
/// <c>AddModelServing</c> registration, its <c>appsettings.json</c>) without a web server, with a
/// <see cref="FakeTimeProvider"/> as the clock and logs captured in a <see cref="FakeLogCollector"/>.
/// </summary>
/// <remarks>
/// <code>
/// await using var host = await ModelTestHost.StartNewAsync(b => b.AddFareModels());
/// var fare = host.GetClient&lt;Trip, decimal&gt;("fare");
/// </code>
/// Not thread-safe to start, stop and dispose concurrently; its services are as thread-safe as in the service.
/// Disposing stops the host and disposes what it created.
/// </remarks>
public sealed class ModelTestHost : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _started;

    private ModelTestHost(IHost host, FakeTimeProvider timeProvider)
    {
        _host = host;
        TimeProvider = timeProvider;
    }

    /// <summary>Gets the host's services.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Gets the host's clock: advance it to run polls, drain timeouts and limits' timeouts.</summary>
    public FakeTimeProvider TimeProvider { get; }

    /// <summary>Gets the logs written through the host's loggers.</summary>
    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    /// <summary>Gets the model manager: status, load, promote, roll back.</summary>
    public IModelManager Manager => Services.GetRequiredService<IModelManager>();

    /// <summary>Gets the model provider: clients by name.</summary>
    public IModelProvider Models => Services.GetRequiredService<IModelProvider>();

    /// <summary>Creates a host without starting it (models load when it starts).</summary>
    /// <param name="configure">Adds the service's model serving, as its <c>Program</c> does.</param>
    /// <param name="options">The host's options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The host.</returns>
    public static ModelTestHost Create(Action<IHostApplicationBuilder> configure, ModelTestHostOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(configure);
        options ??= new ModelTestHostOptions();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = options.ContentRoot ?? AppContext.BaseDirectory,
            EnvironmentName = options.EnvironmentName,
        });
        builder.Configuration.AddInMemoryCollection(options.Configuration);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddFakeLogging();

        // The fake clock before and after the service's registrations: AddModelServing adds the
        // system clock only when none is registered, and a clock the service registers itself is removed.
        var timeProvider = new FakeTimeProvider(options.StartTime);
        builder.Services.AddSingleton<TimeProvider>(timeProvider);
        configure(builder);
        builder.Services.RemoveAll<TimeProvider>();
        builder.Services.AddSingleton<TimeProvider>(timeProvider);
        return new ModelTestHost(builder.Build(), timeProvider);
    }

    /// <summary>Creates and starts a host: every model loads its first version and runs its self-tests.</summary>
    /// <param name="configure">Adds the service's model serving, as its <c>Program</c> does.</param>
    /// <param name="options">The host's options, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started host.</returns>
    public static async Task<ModelTestHost> StartNewAsync(Action<IHostApplicationBuilder> configure, ModelTestHostOptions? options = null, CancellationToken cancellationToken = default)
    {
        var host = Create(configure, options);
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            return host;
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Gets a model's typed client, as a service injects it (<c>[FromKeyedServices(name)]</c>).</summary>
    /// <typeparam name="TFeatures">The features type.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <param name="modelName">The model.</param>
    /// <returns>The client.</returns>
    public IModelClient<TFeatures, TOutput> GetClient<TFeatures, TOutput>(string modelName) =>
        Services.GetRequiredKeyedService<IModelClient<TFeatures, TOutput>>(modelName);

    /// <summary>
    /// Starts collecting one of LyftServing's instruments (for example <c>lyftserving.inference.duration</c>)
    /// of this host's meter. Measurements recorded before the call are not collected.
    /// </summary>
    /// <typeparam name="T">The instrument's value type: <see langword="double"/> for durations, <see langword="long"/> for counters.</typeparam>
    /// <param name="instrumentName">The instrument's name.</param>
    /// <returns>The collector; dispose it when done.</returns>
    public MetricCollector<T> CollectMetric<T>(string instrumentName)
        where T : struct =>
        new(Services.GetRequiredService<IMeterFactory>(), ModelServingTelemetry.MeterName, instrumentName, TimeProvider);

    /// <summary>
    /// Waits until a model's primary version is <paramref name="version"/> (after a poll, a
    /// promotion or a rollback), woken by the model's change token.
    /// </summary>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version.</param>
    /// <param name="timeout">How long to wait, in real time. Default: 10 seconds.</param>
    /// <returns>The model's status once it serves the version.</returns>
    /// <exception cref="TimeoutException">It did not within <paramref name="timeout"/>; the message shows its status.</exception>
    public async Task<ModelStatus> WaitForPrimaryAsync(string modelName, string version, TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (Manager.GetChangeToken(modelName).RegisterChangeCallback(static s => ((TaskCompletionSource)s!).TrySetResult(), changed))
            {
                var status = Manager.GetStatus(modelName);
                if (status.PrimaryVersion == version)
                {
                    return status;
                }

                try
                {
                    await changed.Task.WaitAsync(cancellation.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"Model '{modelName}' did not serve version '{version}' in time. {ModelAssert.Describe(Manager.GetStatus(modelName))}");
                }
            }
        }
    }

    /// <summary>Starts the host: models load their first versions and run their self-tests.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the host has started.</returns>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _host.StartAsync(cancellationToken).ConfigureAwait(false);
        _started = true;
    }

    /// <summary>Stops the host: models drain and are disposed.</summary>
    /// <param name="cancellationToken">Ends the graceful stop early.</param>
    /// <returns>A task that completes when the host has stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_started)
        {
            _started = false;
            await _host.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the host if it runs and disposes it.</summary>
    /// <returns>A task that completes when the host is disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            _host.Dispose();
        }
    }
}
