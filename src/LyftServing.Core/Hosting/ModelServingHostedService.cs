using Microsoft.Extensions.Hosting;

namespace LyftServing.Internal;

/// <summary>Loads every model when the host starts and drains and disposes them when it stops.</summary>
internal sealed class ModelServingHostedService(ModelRegistry registry) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => registry.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => registry.StopAsync(cancellationToken);
}
