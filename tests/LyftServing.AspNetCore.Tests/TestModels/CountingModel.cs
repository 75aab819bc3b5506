namespace LyftServing.AspNetCore.Tests.TestModels;

/// <summary>Counts the predictions of the models of one test app (a singleton service of that app).</summary>
public sealed class CallCounter
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public void Increment() => Interlocked.Increment(ref _calls);
}

/// <summary>Answers the distance it is given and counts its calls, for tests that prove a call never reached the model.</summary>
public sealed class CountingModel(CallCounter counter) : IModel<EtaFeatures, double>
{
    public ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public double Predict(EtaFeatures features)
    {
        counter.Increment();
        return features.DistanceKm;
    }
}
