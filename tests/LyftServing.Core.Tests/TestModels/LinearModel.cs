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

    /// <summary>Gets the gate that versions with <c>behavior.txt</c> = <c>hang</c> wait on in Predict.</summary>
    public SemaphoreSlim HangGate { get; } = new(0);

    /// <summary>Gets the gate that versions with <c>behavior.txt</c> = <c>hang-load</c> wait on in LoadAsync, ignoring its token.</summary>
    public SemaphoreSlim LoadGate { get; } = new(0);

    /// <summary>Signalled when a hanging LoadAsync has started.</summary>
    public SemaphoreSlim LoadEntered { get; } = new(0);

    /// <summary>Signalled when a gated Predict has started.</summary>
    public SemaphoreSlim PredictEntered { get; } = new(0);

    private int _running;
    private int _maxRunning;

    /// <summary>Gets the number of Predict calls running now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Gets the most Predict calls that ran at once.</summary>
    public int MaxRunning => Volatile.Read(ref _maxRunning);

    internal void Enter()
    {
        var running = Interlocked.Increment(ref _running);
        int max;
        while (running > (max = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, running, max) != max)
        {
        }
    }

    internal void Exit() => Interlocked.Decrement(ref _running);

    internal void Add(LinearModel model) => _created.Enqueue(model);

    internal void CallOnDisposedInstance() => Interlocked.Increment(ref _callsOnDisposedInstances);
}

/// <summary>
/// A tiny real model: reads <c>weight.txt</c> from its artifact and predicts <c>x * weight</c>
/// (row by row in a batch, so batched rows wait on the same gates).
/// A <c>fail.txt</c> file makes <see cref="LoadAsync"/> throw with its content as the message.
/// </summary>
public sealed class LinearModel : IBatchModel<NumberFeatures, double>, IDisposable
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

    /// <summary>Gets what Predict does besides multiplying: <c>throw</c> or <c>hang</c> (from <c>behavior.txt</c>).</summary>
    public string Behavior { get; private set; } = "";

    public async ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        Version = artifact.Version;
        if (artifact.Files.Contains("fail.txt"))
        {
            throw new InvalidDataException(await File.ReadAllTextAsync(artifact.GetPath("fail.txt"), cancellationToken));
        }

        if (artifact.Files.Contains("behavior.txt"))
        {
            Behavior = (await File.ReadAllTextAsync(artifact.GetPath("behavior.txt"), cancellationToken)).Trim();
            if (Behavior == "hang-load")
            {
                // Model code that ignores its cancellation token.
                _tracker.LoadEntered.Release();
                await _tracker.LoadGate.WaitAsync(CancellationToken.None);
            }
        }

        var text = await File.ReadAllTextAsync(artifact.GetPath("weight.txt"), cancellationToken);
        Weight = double.Parse(text, CultureInfo.InvariantCulture);
    }

    public double Predict(NumberFeatures features)
    {
        _tracker.Enter();
        try
        {
            return PredictCore(features);
        }
        finally
        {
            _tracker.Exit();
        }
    }

    private double PredictCore(NumberFeatures features)
    {
        if (_tracker.PredictGate is { } gate)
        {
            _tracker.PredictEntered.Release();
            gate.Wait();
        }

        switch (Behavior)
        {
            case "throw":
                throw new InvalidOperationException($"Version {Version} always throws.");
            case "hang":
                _tracker.HangGate.Wait();
                _tracker.HangGate.Release();
                break;
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

    public void PredictBatch(ReadOnlySpan<NumberFeatures> features, Span<double> outputs)
    {
        for (var i = 0; i < features.Length; i++)
        {
            outputs[i] = Predict(features[i]);
        }
    }

    public void Dispose() => _disposed = true;
}

/// <summary>A model without batch support.</summary>
public sealed class PlainModel : IModel<NumberFeatures, double>
{
    public ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public double Predict(NumberFeatures features) => features.X;
}
