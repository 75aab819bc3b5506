using Microsoft.Extensions.Logging;

namespace LyftServing.LightGbm.Internal;

/// <summary>
/// The model code of the <c>lightgbm</c> runtime: serves a version's single <c>.txt</c> model file
/// with the wire shape of a tabular ONNX model, <c>{"features": [[row], …]}</c> (or one row by the
/// model's feature names) in, <c>{"score": [[k values], …]}</c> out. The kit
/// (<see cref="TensorModel"/>) checks and converts the features and stacks batches; this class
/// loads the booster and scores: one row through the fast single-row API, more through the matrix API.
/// </summary>
/// <remarks>Thread-safe; each call allocates its output tensor.</remarks>
internal sealed class LightGbmTensorModel(IModelSettings<LightGbmModelSettings> settings, ILoggerFactory loggerFactory)
    : TensorModel(loggerFactory.CreateLogger("LyftServing.LightGbm")), IModelMetadataSource
{
    private LightGbmBooster? _booster;

    public override ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var booster = LightGbmBooster.Load(artifact, settings.Read(artifact), Logger);
        _booster = booster;
        OnLoaded(artifact, booster.Signature, booster.Lifetime);
        return ValueTask.CompletedTask;
    }

    /// <summary>Gets the loaded booster (for tests and benchmarks).</summary>
    internal LightGbmBooster Booster => _booster ?? throw new InvalidOperationException("The LightGBM model is not loaded; LoadAsync must complete first.");

    public object GetMetadata() => Booster.Metadata;

    protected override Tensors Run(TensorInputs inputs)
    {
        var booster = _booster!;
        var rows = checked((int)inputs.RowCount);
        var scores = new double[rows * booster.OutputCount];
        var features = inputs.GetMemory<double>(0).Span;
        if (rows == 1)
        {
            booster.PredictRow(features, scores);
        }
        else
        {
            booster.Predict(features, rows, scores);
        }

        return new Tensors { { LightGbmBooster.OutputName, Tensor.Create(scores, rows, booster.OutputCount) } };
    }
}
