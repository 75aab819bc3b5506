using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace LyftServing;

/// <summary>The options of one model (configuration: <c>ModelServing:Models:{name}</c>).</summary>
public sealed class ModelOptions
{
    /// <summary>
    /// Gets or sets the name of the model runtime that serves this model (for example <c>onnx</c>,
    /// registered by a runtime package), for models declared without C# model code.
    /// </summary>
    public string? Runtime { get; set; }

    /// <summary>Gets or sets the model store directory of this model; <see langword="null"/> uses <see cref="ModelServingOptions.StoreRoot"/>.</summary>
    public string? Store { get; set; }

    /// <summary>
    /// Gets or sets the version to serve (a pin); <see langword="null"/> (the default) serves the
    /// newest version in the store that loads and passes its self-tests. An operator's decision
    /// recorded in the store (<see cref="IModelManager.PinAsync"/>, a promotion or a rollback) wins
    /// over this setting until it is cleared.
    /// </summary>
    public string? Version { get; set; }

    /// <summary>
    /// Gets or sets how often to check the store for a newer version and for operators' decisions
    /// made on other replicas; <see langword="null"/> uses <see cref="ModelServingOptions.PollInterval"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan? PollInterval { get; set; }

    /// <summary>
    /// Gets or sets whether the host needs this model: when <see langword="true"/> (the default) a
    /// failed first load stops the host from starting and the model counts for readiness.
    /// </summary>
    public bool Required { get; set; } = true;

    /// <summary>
    /// Gets or sets whether a version must have self-test cases to serve. Default:
    /// <see langword="false"/>. Whatever this says, a version whose self-tests fail never serves
    /// (unless <see cref="SelfTestsReportOnly"/> is set).
    /// </summary>
    public bool RequireSelfTests { get; set; }

    /// <summary>
    /// Gets or sets whether failing self-tests are only reported (logs, metrics, status) and the
    /// version may serve anyway. Default: <see langword="false"/>: failing self-tests block the
    /// version. Meant for a model whose test data is being repaired; it cannot be combined with
    /// <see cref="RequireSelfTests"/>.
    /// </summary>
    public bool SelfTestsReportOnly { get; set; }

    /// <summary>Gets or sets the tolerance for numbers in self-test cases that set none. Default: 1e-5.</summary>
    [Range(0d, double.MaxValue)]
    public double SelfTestTolerance { get; set; } = 1e-5;

    /// <summary>Gets or sets the drain timeout of this model (see <see cref="ModelServingOptions.DrainTimeout"/>); <see langword="null"/> uses that one.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan? DrainTimeout { get; set; }

    /// <summary>Gets the shadow evaluation options.</summary>
    [ValidateObjectMembers]
    public ShadowOptions Shadow { get; } = new();

    /// <summary>Gets the prediction log options.</summary>
    [ValidateObjectMembers]
    public PredictionLogOptions PredictionLog { get; } = new();

    /// <summary>Gets the dynamic batching options.</summary>
    [ValidateObjectMembers]
    public BatchingOptions Batching { get; } = new();

    /// <summary>Gets the overload protection options: concurrency limit, wait queue and timeout.</summary>
    [ValidateObjectMembers]
    public LimitOptions Limits { get; } = new();
}
