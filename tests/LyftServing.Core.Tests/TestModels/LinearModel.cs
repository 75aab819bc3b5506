using System.Globalization;

namespace LyftServing.Tests.TestModels;

/// <summary>Features of the test models: a single number.</summary>
public sealed record NumberFeatures(double X);

/// <summary>
/// A tiny real model: reads <c>weight.txt</c> from its artifact and predicts <c>x * weight</c>.
/// Tracks its own disposal so tests can prove no call ever runs on a disposed version.
/// </summary>
public sealed class LinearModel : IModel<NumberFeatures, double>, IDisposable
{
    private volatile bool _disposed;

    private static int s_disposals;

    public static int Disposals => Volatile.Read(ref s_disposals);

    public double Weight { get; private set; }

    public string Version { get; private set; } = "";

    public async ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        var text = await File.ReadAllTextAsync(artifact.GetPath("weight.txt"), cancellationToken);
        Weight = double.Parse(text, CultureInfo.InvariantCulture);
        Version = artifact.Version;
    }

    public double Predict(NumberFeatures features)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return features.X * Weight;
    }

    public void Dispose()
    {
        _disposed = true;
        Interlocked.Increment(ref s_disposals);
    }
}
