using Microsoft.Extensions.Logging;

namespace LyftServing.OnnxRuntime.Internal;

/// <summary>
/// The model code of a model added with <c>AddOnnxModel&lt;TFeatures, TOutput&gt;</c>: the user's
/// mapping writes features straight into pinned, pre-bound input buffers and reads the output from
/// pre-bound output buffers, so a call allocates nothing once the pool of buffers is warm.
/// </summary>
/// <remarks>Thread-safe: each concurrent call rents its own buffer set and I/O binding.</remarks>
internal sealed class OnnxTypedModel<TFeatures, TOutput>(
    OnnxMapping<TFeatures, TOutput> mapping,
    IModelSettings<OnnxModelSettings> settings,
    ILoggerFactory loggerFactory) : IBatchModel<TFeatures, TOutput>, IModelMetadataSource, IModelSignatureSource, IDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("LyftServing.OnnxRuntime");
    private OnnxSession? _session;
    private OnnxPlan<TFeatures, TOutput>? _plan;

    public ModelSignature Signature => Session.Signature;

    /// <summary>Gets the loaded session (for benchmarks that compare against raw calls on it).</summary>
    internal OnnxSession Session => _session ?? throw NotLoaded();

    public ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var session = OnnxSession.Create(artifact, settings.Read(artifact), _logger);
        try
        {
            _plan = mapping.Compile(session);
            _session = session;
        }
        catch
        {
            session.Lifetime.Dispose();
            throw;
        }

        return ValueTask.CompletedTask;
    }

    public TOutput Predict(TFeatures features) => Plan().Predict(features);

    public void PredictBatch(ReadOnlySpan<TFeatures> features, Span<TOutput> outputs)
    {
        if (features.Length != outputs.Length)
        {
            throw new ArgumentException($"The outputs span has {outputs.Length} items, but there are {features.Length} rows of features.", nameof(outputs));
        }

        var plan = Plan();
        if (features.Length > 1 && plan.IsBatchable)
        {
            plan.PredictBatch(features, outputs);
            return;
        }

        if (features.Length > 1)
        {
            Log.BatchRunsRowByRow(_logger, _session!.ModelName, _session.Version, features.Length, "an input or output has no dynamic first (batch) dimension");
        }

        for (var i = 0; i < features.Length; i++)
        {
            outputs[i] = plan.Predict(features[i]);
        }
    }

    public object GetMetadata() => Session.Metadata;

    public void Dispose() => _session?.Lifetime.Dispose();

    private OnnxPlan<TFeatures, TOutput> Plan() => _plan ?? throw NotLoaded();

    private static InvalidOperationException NotLoaded() => new("The ONNX model is not loaded; LoadAsync must complete first.");
}
