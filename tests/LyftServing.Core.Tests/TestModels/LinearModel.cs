using System.Collections.Concurrent;
using System.Globalization;

namespace LyftServing.Tests.TestModels;

/// <summary>Features of the test models: a single number.</summary>
public sealed record NumberFeatures(double X);

/// <summary>Records what the host did with model instances, so tests can check loads, disposals and drains.</summary>
public sealed class ModelTracker
{
    private readonly ConcurrentQueue<LinearModel> _created = new();

    public IReadOnlyCollection<LinearModel> Created => _created;

    private int _callsOnDisposedInstances;

    public int CallsOnDisposedInstances => Volatile.Read(ref _callsOnDisposedInstances);

    /// <summary>When set, Predict waits on it (for drain tests).</summary>
    public SemaphoreSlim? PredictGate { get; set; }

    /// <summary>Gets or sets how long each Predict keeps its thread busy, so calls overlap with swaps.</summary>
    public TimeSpan PredictBusyTime { get; set; }

    /// <summary>Signalled when a gated Predict has started.</summary>
    public SemaphoreSlim PredictEntered { get; } = new(0);

    internal void Add(LinearModel model) => _created.Enqueue(model);

    internal void CallOnDisposedInstance() => Interlocked.Increment(ref _callsOnDisposedInstances);
}

/// <summary>
/// A tiny real model: reads <c>weight.txt</c> from its artifact and predicts <c>x * weight</c>.
/// A <c>fail.txt</c> file makes <see cref="LoadAsync"/> throw with its content as the message.
/// </summary>
public sealed class LinearModel : IModel<NumberFeatures, double>, IDisposable
{
    private readonly ModelTracker _tracker;
    private volatile bool _disposed;

    public LinearModel(ModelTracker tracker)
    {
        _tracker = tracker;
        tracker.Add(this);
    }

    public double Weight { get; private set; }

    public string Version { get; private set; } = "";

    public bool IsDisposed => _disposed;

    public async ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        Version = artifact.Version;
        if (artifact.Files.Contains("fail.txt"))
        {
            throw new InvalidDataException(await File.ReadAllTextAsync(artifact.GetPath("fail.txt"), cancellationToken));
        }

        var text = await File.ReadAllTextAsync(artifact.GetPath("weight.txt"), cancellationToken);
        Weight = double.Parse(text, CultureInfo.InvariantCulture);
    }

    public double Predict(NumberFeatures features)
    {
        if (_tracker.PredictGate is { } gate)
        {
            _tracker.PredictEntered.Release();
            gate.Wait();
        }

        if (_tracker.PredictBusyTime > TimeSpan.Zero)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            while (System.Diagnostics.Stopwatch.GetElapsedTime(started) < _tracker.PredictBusyTime)
            {
                Thread.SpinWait(10);
            }
        }

        if (_disposed)
        {
            _tracker.CallOnDisposedInstance();
            throw new ObjectDisposedException(nameof(LinearModel), $"Version {Version} was disposed before this call.");
        }

        return features.X * Weight;
    }

    public void Dispose() => _disposed = true;
}
