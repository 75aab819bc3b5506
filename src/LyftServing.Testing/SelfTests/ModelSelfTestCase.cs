using System.ComponentModel;
using Xunit.Abstractions;

namespace LyftServing.Testing;

/// <summary>
/// The outcome of one self-test case of one model version, as the host ran it after loading the
/// version; also a version that failed to load or has no cases. A theory's argument from
/// <see cref="ModelSelfTestDataAttribute"/>: call <see cref="AssertPassed"/>.
/// </summary>
/// <remarks>Immutable once created; serializable by xunit so each case is a test of its own.</remarks>
public sealed class ModelSelfTestCase : IXunitSerializable
{
    /// <summary>Creates a case.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version, or <see langword="null"/> when the model has none that could be read.</param>
    /// <param name="caseName">The case's name.</param>
    /// <param name="passed">Whether it passed.</param>
    /// <param name="message">Why it failed (the first difference, the exception, the load error), or <see langword="null"/>.</param>
    public ModelSelfTestCase(string modelName, string? version, string caseName, bool passed, string? message)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(caseName);
        ModelName = modelName;
        Version = version;
        CaseName = caseName;
        Passed = passed;
        Message = message;
    }

    /// <summary>Creates an empty case for xunit's deserialization.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [Obsolete("For xunit's deserialization only.")]
    public ModelSelfTestCase()
    {
        ModelName = "";
        CaseName = "";
    }

    /// <summary>Gets the model.</summary>
    public string ModelName { get; private set; }

    /// <summary>Gets the version, or <see langword="null"/> when the model has none that could be read.</summary>
    public string? Version { get; private set; }

    /// <summary>Gets the case's name.</summary>
    public string CaseName { get; private set; }

    /// <summary>Gets whether the case passed.</summary>
    public bool Passed { get; private set; }

    /// <summary>Gets why the case failed, or <see langword="null"/>.</summary>
    public string? Message { get; private set; }

    /// <summary>Throws unless the case passed, with a message naming model, version, case and the difference.</summary>
    /// <exception cref="ModelSelfTestFailedException">The case failed.</exception>
    public void AssertPassed()
    {
        if (!Passed)
        {
            throw new ModelSelfTestFailedException(this);
        }
    }

    /// <summary>Gets how the case appears in a test runner: <c>fare v2: ten km</c>.</summary>
    /// <returns>The model, version and case.</returns>
    public override string ToString() => Version is null ? $"{ModelName}: {CaseName}" : $"{ModelName} v{Version}: {CaseName}";

    /// <inheritdoc />
    void IXunitSerializable.Deserialize(IXunitSerializationInfo info)
    {
        ModelName = info.GetValue<string>(nameof(ModelName));
        Version = info.GetValue<string?>(nameof(Version));
        CaseName = info.GetValue<string>(nameof(CaseName));
        Passed = info.GetValue<bool>(nameof(Passed));
        Message = info.GetValue<string?>(nameof(Message));
    }

    /// <inheritdoc />
    void IXunitSerializable.Serialize(IXunitSerializationInfo info)
    {
        info.AddValue(nameof(ModelName), ModelName);
        info.AddValue(nameof(Version), Version);
        info.AddValue(nameof(CaseName), CaseName);
        info.AddValue(nameof(Passed), Passed);
        info.AddValue(nameof(Message), Message);
    }
}
