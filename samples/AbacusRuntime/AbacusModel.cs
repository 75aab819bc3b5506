using LyftServing;
using Microsoft.Extensions.Logging;

namespace Abacus.LyftServing;

/// <summary>The model code of the <c>abacus</c> runtime: serves a version's single <c>.abacus</c> file with named tensors.</summary>
public sealed class AbacusModel(IModelSettings<AbacusSettings> settings, ILogger<AbacusModel> logger) : TensorModel(logger)
{
    private AbacusEngine? _engine;
    private float _scale;

    public override ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        var options = settings.Read(artifact);
        var engine = AbacusEngine.Load(artifact.GetSingleFile(".abacus"));
        var lifetime = new NativeLifetime($"Model '{artifact.ModelName}' version '{artifact.Version}'");
        lifetime.Own(engine);
        var signature = new ModelSignature(
            [new TensorSpec(options.InputName, TensorElementType.Float32, [-1, engine.InputCount], ["N", null]) { ColumnNames = options.Columns }],
            [new TensorSpec(options.OutputName, TensorElementType.Float32, [-1, engine.OutputCount], ["N", null])]);
        (_engine, _scale) = (engine, options.Scale);
        OnLoaded(artifact, signature, lifetime);
        return ValueTask.CompletedTask;
    }

    protected override Tensors Run(TensorInputs inputs)
    {
        var rows = checked((int)inputs.RowCount);
        var outputs = new float[rows * _engine!.OutputCount];
        _engine.Predict(inputs.GetMemory<float>(0).Span, rows, outputs);
        foreach (ref var y in outputs.AsSpan())
        {
            y *= _scale;
        }

        return new Tensors { { Signature.Outputs[0].Name, Tensor.Create(outputs, rows, _engine.OutputCount) } };
    }
}
