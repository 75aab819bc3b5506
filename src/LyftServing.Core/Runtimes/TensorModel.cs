using LyftServing.Internal;
using Microsoft.Extensions.Logging;

namespace LyftServing;

/// <summary>
/// The base of a runtime's untyped model code: named tensors in (<see cref="Tensors"/>, the JSON
/// features <c>{"x": [[…]]}</c>), named tensors out. A runtime implements loading (create the
/// framework's model, describe it as a <see cref="ModelSignature"/>, hand its native resources to a
/// <see cref="NativeLifetime"/>) and one run on checked inputs; this class checks and converts the
/// features, keeps the native resources alive during each call, stacks the rows of a batch into
/// one run and splits the outputs back.
/// </summary>
/// <remarks>
/// Thread-safe if <see cref="Run"/> is. The host disposes the instance after the version has
/// drained; the lifetime releases the native resources once the last running call has exited.
/// </remarks>
public abstract class TensorModel : IBatchModel<Tensors, Tensors>, IModelSignatureSource, IDisposable
{
    private readonly ILogger _logger;
    private ModelSignature? _signature;
    private NativeLifetime? _lifetime;
    private string _modelName = string.Empty;
    private string _version = string.Empty;

    /// <summary>Initialises the model code.</summary>
    /// <param name="logger">Where to log how batches run.</param>
    protected TensorModel(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
    }

    /// <summary>Gets the loaded version's signature.</summary>
    /// <exception cref="InvalidOperationException">The version is not loaded yet.</exception>
    public ModelSignature Signature => _signature ?? throw NotLoaded();

    /// <summary>Gets the logger given to the constructor.</summary>
    protected ILogger Logger => _logger;

    /// <summary>Gets the lifetime of the loaded version's native resources.</summary>
    /// <exception cref="InvalidOperationException">The version is not loaded yet.</exception>
    protected NativeLifetime Lifetime => _lifetime ?? throw NotLoaded();

    /// <inheritdoc />
    public abstract ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken);

    /// <summary>Predicts from one set of features: checks and converts them, then runs the framework once.</summary>
    /// <param name="features">The features: one tensor per input; a tensor may hold several rows.</param>
    /// <returns>One tensor per output of the signature.</returns>
    /// <exception cref="ModelFeaturesException">The features do not fit the signature.</exception>
    public Tensors Predict(Tensors features)
    {
        var signature = Signature;
        using var inputs = signature.BindInputs(_modelName, features);
        using var call = Lifetime.Enter();
        return Run(inputs);
    }

    /// <summary>Predicts many sets of features in one framework run when the signature has batch dimensions; otherwise one by one.</summary>
    /// <param name="features">The rows.</param>
    /// <param name="outputs">Receives the outputs of row <c>i</c> at index <c>i</c>.</param>
    public void PredictBatch(ReadOnlySpan<Tensors> features, Span<Tensors> outputs)
    {
        if (features.Length != outputs.Length)
        {
            throw new ArgumentException($"The outputs span has {outputs.Length} items, but there are {features.Length} rows of features.", nameof(outputs));
        }

        var signature = Signature;
        if (features.Length <= 1 || !signature.IsBatchable)
        {
            if (features.Length > 1)
            {
                Log.BatchRunsRowByRow(_logger, _modelName, _version, features.Length, "an input or output has no dynamic first (batch) dimension");
            }

            for (var i = 0; i < features.Length; i++)
            {
                outputs[i] = Predict(features[i]);
            }

            return;
        }

        var rows = new TensorInputs[features.Length];
        try
        {
            for (var r = 0; r < rows.Length; r++)
            {
                rows[r] = TensorBinder.Bind(_modelName, signature, features[r], $"Row {r} of the batch: ");
            }

            using var stacked = TensorBinder.Stack(signature, rows, out var reason);
            using var call = Lifetime.Enter();
            if (stacked is null)
            {
                Log.BatchRunsRowByRow(_logger, _modelName, _version, rows.Length, reason!);
                for (var r = 0; r < rows.Length; r++)
                {
                    outputs[r] = Run(rows[r]);
                }

                return;
            }

            TensorBinder.Split(_modelName, Run(stacked), rows, outputs);
        }
        finally
        {
            foreach (var row in rows)
            {
                row?.Dispose();
            }
        }
    }

    /// <summary>Releases the native resources once no call runs any more.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Called by <see cref="LoadAsync"/> once the framework's model is ready: from now on the model
    /// predicts with this signature, and <paramref name="lifetime"/> owns the native resources.
    /// </summary>
    /// <param name="artifact">The version that was loaded.</param>
    /// <param name="signature">What the version takes and returns.</param>
    /// <param name="lifetime">The lifetime that owns the version's native resources.</param>
    protected void OnLoaded(ModelArtifact artifact, ModelSignature signature, NativeLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(lifetime);
        _modelName = artifact.ModelName;
        _version = artifact.Version;
        _lifetime = lifetime;
        _signature = signature;
    }

    /// <summary>
    /// Runs the framework once on checked inputs (one per input of the signature, converted to its
    /// element type), inside the lifetime: the native resources stay alive until it returns.
    /// </summary>
    /// <param name="inputs">The inputs; their buffers are valid until this method returns.</param>
    /// <returns>One tensor per output of the signature, each with as many rows as <see cref="TensorInputs.RowCount"/> when it has a batch dimension.</returns>
    protected abstract Tensors Run(TensorInputs inputs);

    /// <summary>Disposes the lifetime (the native resources go once no call runs).</summary>
    /// <param name="disposing">Whether this is a call to <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _lifetime?.Dispose();
        }
    }

    private static InvalidOperationException NotLoaded() => new("The model is not loaded; LoadAsync must complete first.");
}
