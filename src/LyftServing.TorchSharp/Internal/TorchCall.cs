using TorchSharp;

namespace LyftServing.TorchSharp.Internal;

/// <summary>
/// One call into libtorch: the model's intra-op threads on the calling thread, inference mode (no
/// autograd), and a dispose scope that frees every tensor the call creates, inputs, intermediates
/// and outputs, when the call ends, so memory stays flat however many calls run.
/// </summary>
/// <remarks>Begin and dispose on the same thread (libtorch's modes and TorchSharp's scopes are per thread).</remarks>
internal readonly struct TorchCall : IDisposable
{
    private readonly IDisposable _inferenceMode;
    private readonly DisposeScope _scope;

    private TorchCall(IDisposable inferenceMode, DisposeScope scope)
    {
        _inferenceMode = inferenceMode;
        _scope = scope;
    }

    /// <summary>Starts a call.</summary>
    /// <param name="intraOpThreads">The model's intra-op threads; 0 leaves the thread's setting.</param>
    public static TorchCall Begin(int intraOpThreads)
    {
        // libtorch keeps the intra-op thread count per thread (OpenMP): set it only when this
        // thread last ran with another count, so a call usually costs one cheap read.
        if (intraOpThreads > 0 && torch.get_num_threads() != intraOpThreads)
        {
            torch.set_num_threads(intraOpThreads);
        }

        var inferenceMode = torch.inference_mode();
        return new TorchCall(inferenceMode, torch.NewDisposeScope());
    }

    /// <summary>Frees the call's tensors and leaves inference mode.</summary>
    public void Dispose()
    {
        _scope?.Dispose();
        _inferenceMode?.Dispose();
    }
}
