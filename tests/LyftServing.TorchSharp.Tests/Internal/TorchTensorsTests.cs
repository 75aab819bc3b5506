using LyftServing.TorchSharp.Internal;
using TorchSharp;

namespace LyftServing.TorchSharp.Tests.Internal;

/// <summary>How the torchscript runtime copies an input's values into a libtorch tensor.</summary>
public sealed class TorchTensorsTests
{
    [Fact]
    public void Create_ValuesInSeveralParts_CopiesEveryValueInPlace()
    {
        // An input beyond int.MaxValue bytes (the most Tensor.bytes spans) is copied in parts:
        // parts of 4 values make 7 of them, the last one short.
        TorchNative.EnsureLoaded();
        long[] values = [.. Enumerable.Range(0, 27).Select(i => (i * 1_000_000_007L) - 13)];

        using var tensor = TorchTensors.Create<long>(values, [3, 9], torch.ScalarType.Int64, partLength: 4);

        Assert.Equal([3L, 9L], tensor.shape);
        Assert.Equal(values, tensor.data<long>().ToArray());
    }

    [Fact]
    public void Create_OnePart_CopiesTheValuesSoTheTensorDoesNotShareThem()
    {
        TorchNative.EnsureLoaded();
        float[] values = [1.5f, -2f, 3.25f, 0f];

        using var tensor = TorchTensors.Create<float>(values, [2, 2], torch.ScalarType.Float32);
        using var mode = torch.inference_mode();
        tensor.add_(1f);

        Assert.Equal([2.5f, -1f, 4.25f, 1f], tensor.data<float>().ToArray());
        Assert.Equal([1.5f, -2f, 3.25f, 0f], values);
    }

    [Fact]
    public void Create_NoValues_MakesAnEmptyTensorOfTheShape()
    {
        TorchNative.EnsureLoaded();

        using var tensor = TorchTensors.Create<bool>([], [0, 3], torch.ScalarType.Bool);

        Assert.Equal([0L, 3L], tensor.shape);
        Assert.Equal(torch.ScalarType.Bool, tensor.dtype);
    }
}
