using LyftServing.Server;
using Microsoft.Extensions.Hosting;

namespace LyftServing.Testing.Tests.Samples;

/// <summary>The sample server's model serving, as its Program adds it: what a service's test project writes.</summary>
public sealed class SampleServerSetup : IModelServingSetup
{
    public void Configure(IHostApplicationBuilder builder) => builder.AddModelServerModels();
}
