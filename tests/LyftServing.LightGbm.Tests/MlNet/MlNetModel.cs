using LyftServing;
using Microsoft.ML;

namespace TripModels;

/// <summary>
/// Model code for ML.NET models (such as those trained with Microsoft.ML.LightGbm), saved with
/// <c>mlContext.Model.Save</c> as the version's single <c>.zip</c> file: typed features and output are
/// the model's ML.NET schema classes.
/// </summary>
/// <typeparam name="TInput">The ML.NET input schema class.</typeparam>
/// <typeparam name="TOutput">The ML.NET output schema class.</typeparam>
/// <remarks>
/// Thread-safe without a <see cref="PredictionEngine{TSrc, TDst}"/> per call: ML.NET's engines serve
/// one call at a time, so calls rent one from a pool and return it. The host disposes the model after
/// the version has drained, which disposes the pooled engines.
/// </remarks>
public sealed class MlNetModel<TInput, TOutput> : IBatchModel<TInput, TOutput>, IDisposable
    where TInput : class
    where TOutput : class, new()
{
    private readonly MLContext _context = new();
    private readonly ResourcePool<PredictionEngine<TInput, TOutput>> _engines = new(Environment.ProcessorCount * 2);
    private ITransformer? _model;

    public ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        _model = _context.Model.Load(artifact.GetSingleFile(".zip"), out _);

        // One engine up front: a model that cannot score fails its load, not its first call.
        _engines.Return(CreateEngine());
        return ValueTask.CompletedTask;
    }

    public TOutput Predict(TInput features)
    {
        var engine = _engines.Rent() ?? CreateEngine();
        try
        {
            return engine.Predict(features);
        }
        finally
        {
            _engines.Return(engine);
        }
    }

    public void PredictBatch(ReadOnlySpan<TInput> features, Span<TOutput> outputs)
    {
        var engine = _engines.Rent() ?? CreateEngine();
        try
        {
            for (var i = 0; i < features.Length; i++)
            {
                outputs[i] = engine.Predict(features[i]);
            }
        }
        finally
        {
            _engines.Return(engine);
        }
    }

    public void Dispose() => _engines.Dispose();

    private PredictionEngine<TInput, TOutput> CreateEngine() =>
        _context.Model.CreatePredictionEngine<TInput, TOutput>(_model ?? throw new InvalidOperationException("The model is not loaded."));
}
