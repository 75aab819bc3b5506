namespace LyftServing.Testing;

/// <summary>A model's self-test case failed; the message names model, version, case and the difference.</summary>
public sealed class ModelSelfTestFailedException : Exception
{
    /// <summary>Creates the exception for a failed case.</summary>
    /// <param name="selfTest">The case.</param>
    public ModelSelfTestFailedException(ModelSelfTestCase selfTest)
        : base(Describe(selfTest ?? throw new ArgumentNullException(nameof(selfTest))))
    {
        SelfTest = selfTest;
    }

    /// <summary>Gets the failed case.</summary>
    public ModelSelfTestCase SelfTest { get; }

    private static string Describe(ModelSelfTestCase selfTest) =>
        $"Model '{selfTest.ModelName}' {(selfTest.Version is null ? "" : $"version '{selfTest.Version}' ")}failed its self-test '{selfTest.CaseName}':{Environment.NewLine}{selfTest.Message}";
}
