using System.Diagnostics;

namespace LyftServing.Internal;

/// <summary>
/// After the primary answered, offers a copy of the call to each shadow of the current snapshot
/// (sampled per shadow) on the shadow evaluator's bounded queue. The caller's cost is a sampling
/// decision and a non-blocking enqueue; it never waits for a shadow. Calls that name a version are
/// not copied.
/// </summary>
internal sealed class ShadowStage<TFeatures, TOutput>(
    CallStage<TFeatures, TOutput> next,
    ShadowEvaluator<TFeatures, TOutput> evaluator,
    ServingCell<TFeatures, TOutput> serving) : AnsweredStage<TFeatures, TOutput>(next)
{
    protected override void OnAnswered(ModelCall<TFeatures> call, Prediction<TOutput> prediction)
    {
        var shadows = serving.Current.Shadows;
        if (call.Version is null && shadows.Length > 0)
        {
            evaluator.Offer(shadows, call.Features, prediction.Output, Stopwatch.GetElapsedTime(call.Started));
        }
    }
}
