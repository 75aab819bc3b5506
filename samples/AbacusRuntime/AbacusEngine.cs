using System.Text.Json;

namespace Abacus.LyftServing;

/// <summary>
/// Stands in for the imaginary Abacus framework's native library (<c>abacus_load</c>,
/// <c>abacus_predict</c>, <c>abacus_free</c>): it evaluates a linear model <c>y = x·W + b</c> read
/// from a <c>.abacus</c> file. Like a native handle, it must not be used after <see cref="Dispose"/>.
/// </summary>
public sealed class AbacusEngine : IDisposable
{
    private readonly float[][] _weights;
    private readonly float[] _bias;
    private volatile bool _freed;

    private AbacusEngine(float[][] weights, float[] bias)
    {
        _weights = weights;
        _bias = bias;
    }

    public int InputCount => _weights.Length;

    public int OutputCount => _bias.Length;

    /// <summary>Loads a model file: <c>{"weights": [[…] per input], "bias": […] per output}</c>.</summary>
    public static AbacusEngine Load(string path)
    {
        using var file = JsonDocument.Parse(File.ReadAllBytes(path));
        var weights = file.RootElement.GetProperty("weights").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        var bias = file.RootElement.GetProperty("bias").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        return weights.Length == 0 || weights.Any(w => w.Length != bias.Length)
            ? throw new InvalidDataException($"'{path}' is not an Abacus model: every input needs one weight per output.")
            : new AbacusEngine(weights, bias);
    }

    /// <summary>Predicts <paramref name="rows"/> rows of <see cref="InputCount"/> values into as many rows of <see cref="OutputCount"/>.</summary>
    public void Predict(ReadOnlySpan<float> inputs, int rows, Span<float> outputs)
    {
        ObjectDisposedException.ThrowIf(_freed, this);
        for (var r = 0; r < rows; r++)
        {
            var x = inputs.Slice(r * InputCount, InputCount);
            for (var o = 0; o < OutputCount; o++)
            {
                var y = _bias[o];
                for (var i = 0; i < x.Length; i++)
                {
                    y += x[i] * _weights[i][o];
                }

                outputs[(r * OutputCount) + o] = y;
            }
        }
    }

    public void Dispose() => _freed = true;
}
