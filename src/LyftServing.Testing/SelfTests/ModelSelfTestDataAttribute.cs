using System.Reflection;
using Xunit.Sdk;

namespace LyftServing.Testing;

/// <summary>
/// An xunit data source with one <see cref="ModelSelfTestCase"/> for each self-test case of each
/// model a service serves, so one theory runs every self-test of a model repository:
/// <code>
/// [Theory]
/// [ModelSelfTestData(typeof(FaresSetup))]
/// public void SelfTest(ModelSelfTestCase selfTest) => selfTest.AssertPassed();
/// </code>
/// </summary>
/// <remarks>
/// The cases run once, when xunit asks for the data (see <see cref="ModelSelfTests.RunAsync"/>);
/// each becomes a test of its own whose failure names model, version, case and the difference.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ModelSelfTestDataAttribute : DataAttribute
{
    /// <summary>Creates the data source.</summary>
    /// <param name="setup">The service's <see cref="IModelServingSetup"/>, with a public parameterless constructor.</param>
    public ModelSelfTestDataAttribute(Type setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        if (!typeof(IModelServingSetup).IsAssignableFrom(setup) || setup.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new ArgumentException($"{setup} must implement {nameof(IModelServingSetup)} and have a public parameterless constructor.", nameof(setup));
        }

        Setup = setup;
    }

    /// <summary>Gets the service's setup type.</summary>
    public Type Setup { get; }

    /// <summary>Gets or sets a store directory to test instead of the service's own (see <see cref="ModelSelfTestOptions.Store"/>).</summary>
    public string? Store { get; set; }

    /// <summary>Gets or sets whether versions without self-tests pass (see <see cref="ModelSelfTestOptions.AllowModelsWithoutSelfTests"/>).</summary>
    public bool AllowModelsWithoutSelfTests { get; set; }

    /// <inheritdoc />
    public override IEnumerable<object[]> GetData(MethodInfo testMethod)
    {
        var setup = (IModelServingSetup)Activator.CreateInstance(Setup)!;
        var options = new ModelSelfTestOptions { Store = Store, AllowModelsWithoutSelfTests = AllowModelsWithoutSelfTests };

        // xunit asks for data synchronously; run the host off the caller's synchronization context.
        var cases = Task.Run(() => ModelSelfTests.RunAsync(setup.Configure, options)).GetAwaiter().GetResult();
        return cases.Select(c => new object[] { c });
    }
}
