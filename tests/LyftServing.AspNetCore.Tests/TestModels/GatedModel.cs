namespace LyftServing.AspNetCore.Tests.TestModels;

/// <summary>The gate a <see cref="GatedModel"/> waits on, shared through DI with the test.</summary>
public sealed class PredictGate
{
    public SemaphoreSlim Entered { get; } = new(0);

    public SemaphoreSlim Open { get; } = new(0);
}

/// <summary>A model whose Predict waits until the test opens its gate: calls stay in flight on demand.</summary>
public sealed class GatedModel(PredictGate gate) : IModel<FailingFeatures, double>
{
    public ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public double Predict(FailingFeatures features)
    {
        gate.Entered.Release();
        gate.Open.Wait();
        gate.Open.Release();
        return 1;
    }
}
