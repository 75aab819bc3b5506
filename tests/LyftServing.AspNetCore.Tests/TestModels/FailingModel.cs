namespace LyftServing.AspNetCore.Tests.TestModels;

/// <summary>Features of <see cref="FailingModel"/>: which failure to show.</summary>
public sealed record FailingFeatures(string Mode);

/// <summary>A model that fails on request: throws, answers NaN, is overloaded, times out or is slow.</summary>
public sealed class FailingModel : IModel<FailingFeatures, double>
{
    public const string SecretText = "Password=hunter2 at /srv/secret/model.bin";

    public ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public double Predict(FailingFeatures features) => features.Mode switch
    {
        "crash" => throw new InvalidOperationException(SecretText),
        "nan" => double.NaN,
        "overloaded" => throw new ModelOverloadedException("failing", TimeSpan.FromSeconds(1)),
        "timeout" => throw new ModelTimeoutException("failing", TimeSpan.FromMilliseconds(250)),
        "bad_feature" => throw ModelFeaturesException.AtPath("failing", "$.mode", "must be one of: ok, slow."),
        "slow" => Slow(),
        _ => 1,
    };

    private static double Slow()
    {
        // A model that takes longer than the request's time limit: it answers only once the limit
        // has passed, so the test does not race the clock.
        RequestTimeoutProbe.Token.Value.WaitHandle.WaitOne(TimeSpan.FromSeconds(10));
        return 2;
    }
}

/// <summary>The request's timeout token, set by a middleware of the test app, for <see cref="FailingModel"/>'s slow mode.</summary>
public static class RequestTimeoutProbe
{
    public static readonly AsyncLocal<CancellationToken> Token = new();
}
