using System.Collections.Concurrent;

namespace LyftServing.Testing;

/// <summary>
/// A model client for tests of code that calls a model: answers with a callback and records every
/// call. Register it in place of the real model with
/// <c>services.AddFakeModelClient(new FakeModelClient&lt;Trip, decimal&gt;("fare", trip =&gt; 12.5m))</c>.
/// </summary>
/// <typeparam name="TFeatures">The features type.</typeparam>
/// <typeparam name="TOutput">The output type.</typeparam>
/// <remarks>Thread-safe: calls may run concurrently; callbacks must be too.</remarks>
public sealed class FakeModelClient<TFeatures, TOutput> : IModelClient<TFeatures, TOutput>
{
    private readonly ConcurrentQueue<TFeatures> _calls = new();

    /// <summary>Creates a fake client.</summary>
    /// <param name="modelName">The model name it stands for.</param>
    /// <param name="predict">The answer to each call, or <see langword="null"/> to set <see cref="OnPredict"/> or <see cref="OnPredictAsync"/> later.</param>
    public FakeModelClient(string modelName, Func<TFeatures, TOutput>? predict = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        ModelName = modelName;
        OnPredict = predict;
    }

    /// <inheritdoc />
    public string ModelName { get; }

    /// <summary>Gets or sets the answer to each call (or throw from it, for example a <see cref="ModelOverloadedException"/>).</summary>
    public Func<TFeatures, TOutput>? OnPredict { get; set; }

    /// <summary>Gets or sets an asynchronous answer, used instead of <see cref="OnPredict"/> when set (to block, delay or observe cancellation).</summary>
    public Func<TFeatures, CancellationToken, ValueTask<TOutput>>? OnPredictAsync { get; set; }

    /// <summary>Gets the features of every call so far, in the order they were made.</summary>
    public IReadOnlyList<TFeatures> Calls => [.. _calls];

    /// <summary>Gets how many calls were made.</summary>
    public int CallCount => _calls.Count;

    /// <inheritdoc />
    public ValueTask<TOutput> PredictAsync(TFeatures features, CancellationToken cancellationToken = default)
    {
        _calls.Enqueue(features);
        if (OnPredictAsync is { } predictAsync)
        {
            return predictAsync(features, cancellationToken);
        }

        return OnPredict is { } predict
            ? ValueTask.FromResult(predict(features))
            : throw new InvalidOperationException($"The fake client of model '{ModelName}' has no answer: set {nameof(OnPredict)} or {nameof(OnPredictAsync)}.");
    }
}
