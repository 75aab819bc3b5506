using LyftServing.Testing;
using Microsoft.Extensions.Hosting;

namespace LyftService.Tests;

/// <summary>The service's model registration, for the test host and the self-test data source.</summary>
public sealed class LyftServiceSetup : IModelServingSetup
{
    public void Configure(IHostApplicationBuilder builder) => builder.AddLyftServiceModels();
}

/// <summary>
/// Every self-test case of every model in the store (models/, copied next to the tests) is a test
/// of its own: a new version's testdata.json is checked in CI before it ever reaches a service.
/// </summary>
public class SelfTests
{
    [Theory]
    [ModelSelfTestData(typeof(LyftServiceSetup), Store = "models")]
    public void SelfTest(ModelSelfTestCase selfTest) => selfTest.AssertPassed();
}
