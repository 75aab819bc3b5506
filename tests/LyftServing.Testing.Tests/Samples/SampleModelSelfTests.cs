namespace LyftServing.Testing.Tests.Samples;

/// <summary>
/// Every self-test of every model in the sample store (samples/models, copied to the test's
/// output as models/), one test each: what a model repository's test project holds.
/// </summary>
public class SampleModelSelfTests
{
    [Theory]
    [ModelSelfTestData(typeof(SampleServerSetup), Store = "models")]
    public void SelfTest(ModelSelfTestCase selfTest) => selfTest.AssertPassed();
}
