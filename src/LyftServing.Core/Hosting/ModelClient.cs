using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace LyftServing.Internal;

/// <summary>
/// A model's typed and JSON client: the hot path. One volatile read of the serving snapshot; with
/// no stage configured the primary answers inline (the bare fast path: no allocation, no wait),
/// otherwise the call goes through the snapshot's pipeline.
/// </summary>
internal sealed class ModelClient<TFeatures, TOutput>(
    string name,
    ServingCell<TFeatures, TOutput> serving,
    PredictStage<TFeatures, TOutput> predict,
    JsonTypeInfo<TFeatures> featuresInfo,
    JsonTypeInfo<TOutput> outputInfo) : IModelClient<TFeatures, TOutput>, IJsonModelClient
{
    public string ModelName => name;

    public ValueTask<TOutput> PredictAsync(TFeatures features, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TOutput>(cancellationToken);
        }

        var snapshot = serving.Current;
        if (snapshot.Pipeline is not { } pipeline)
        {
            try
            {
                return new ValueTask<TOutput>(predict.PredictPrimary(snapshot, features));
            }
            catch (Exception ex)
            {
                return ValueTask.FromException<TOutput>(ex);
            }
        }

        if (pipeline.BatchOnly is { } batch)
        {
            return batch.PredictOutputAsync(features, cancellationToken);
        }

        var pending = pipeline.Head.InvokeAsync(new ModelCall<TFeatures>(features, null, pipeline.TimesCalls ? Stopwatch.GetTimestamp() : 0), cancellationToken);
        return pending.IsCompletedSuccessfully
            ? new ValueTask<TOutput>(pending.Result.Output)
            : OutputOfAsync(pending);

        static async ValueTask<TOutput> OutputOfAsync(ValueTask<Prediction<TOutput>> pending) => (await pending.ConfigureAwait(false)).Output;
    }

    public bool HasVersion(string version) => serving.Current.Find(version) is not null;

    public async ValueTask<JsonPrediction> PredictAsync(JsonElement features, string? version, string featuresPath = "$", CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // The route's resource first: an unknown version is "not found" whatever the features are.
        if (version is not null && !HasVersion(version))
        {
            throw new ModelNotFoundException(name, version);
        }

        var call = new ModelCall<TFeatures>(JsonFeatureBinder.Bind(name, features, featuresPath, featuresInfo), version, Stopwatch.GetTimestamp());
        var stage = serving.Current.Pipeline?.Head ?? predict;
        var prediction = await stage.InvokeAsync(call, cancellationToken).ConfigureAwait(false);
        return new JsonPrediction(name, prediction.Version, prediction.Output, outputInfo);
    }
}
