using System.Diagnostics;

namespace LyftServing.Internal;

/// <summary>
/// After a call answered, offers a sampled record of it (<see cref="PredictionLogOptions.SampleRate"/>)
/// to the prediction log's bounded queue; a full queue drops and counts, the caller never waits.
/// </summary>
internal sealed class PredictionLogStage<TFeatures, TOutput>(
    CallStage<TFeatures, TOutput> next,
    double sampleRate,
    ModelContext context) : AnsweredStage<TFeatures, TOutput>(next)
{
    protected override void OnAnswered(ModelCall<TFeatures> call, Prediction<TOutput> prediction)
    {
        if (sampleRate < 1 && Random.Shared.NextDouble() >= sampleRate)
        {
            return;
        }

        context.PredictionLog.Offer(new PredictionRecord
        {
            ModelName = context.Name,
            ModelVersion = prediction.Version,
            Role = call.Version is null ? "primary" : "direct",
            Features = call.Features,
            Output = prediction.Output,
            Latency = Stopwatch.GetElapsedTime(call.Started),
            Timestamp = context.TimeProvider.GetUtcNow(),
            TraceId = Activity.Current?.TraceId.ToHexString(),
        });
    }
}
