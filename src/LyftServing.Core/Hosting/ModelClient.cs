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

    public JsonTypeInfo FeaturesTypeInfo => featuresInfo;

    public JsonTypeInfo OutputTypeInfo => outputInfo;

    public bool HasVersion(string version) => serving.Current.Find(version) is not null;

    public async ValueTask<JsonPrediction> PredictAsync(JsonElement features, string? version, string featuresPath = "$", CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // The route's resource first: an unknown version is "not found" whatever the features are.
        if (version is not null && !HasVersion(version))
        {
            throw new ModelNotFoundException(name, version);
        }

        return await InvokeAsync(JsonFeatureBinder.Bind(name, features, featuresPath, featuresInfo), version, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<JsonPrediction> PredictFeaturesAsync(object features, string? version, CancellationToken cancellationToken = default)
    {
        if (features is not TFeatures typed)
        {
            throw new ArgumentException($"Model '{name}' takes {typeof(TFeatures).Name} features, not {features?.GetType().Name ?? "null"}.", nameof(features));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<JsonPrediction>(cancellationToken);
        }

        // The route's resource first, as for JSON features.
        if (version is not null && !HasVersion(version))
        {
            return ValueTask.FromException<JsonPrediction>(new ModelNotFoundException(name, version));
        }

        return InvokeAsync(typed, version, cancellationToken);
    }

    private ValueTask<JsonPrediction> InvokeAsync(TFeatures features, string? version, CancellationToken cancellationToken)
    {
        var stage = serving.Current.Pipeline?.Head ?? predict;
        var pending = stage.InvokeAsync(new ModelCall<TFeatures>(features, version, Stopwatch.GetTimestamp()), cancellationToken);
        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitAsync(pending);
        }

        var done = pending.Result;
        return new ValueTask<JsonPrediction>(new JsonPrediction(name, done.Version, done.Output, outputInfo));

        async ValueTask<JsonPrediction> AwaitAsync(ValueTask<Prediction<TOutput>> prediction)
        {
            var result = await prediction.ConfigureAwait(false);
            return new JsonPrediction(name, result.Version, result.Output, outputInfo);
        }
    }
}
