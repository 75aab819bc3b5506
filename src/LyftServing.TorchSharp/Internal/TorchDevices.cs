using TorchSharp;

namespace LyftServing.TorchSharp.Internal;

/// <summary>The device of a model's settings, checked against what this libtorch build can run on.</summary>
internal static class TorchDevices
{
    /// <summary>Parses <see cref="TorchSharpSettings.Device"/>; throws a clear error when it names CUDA and libtorch cannot use it.</summary>
    public static torch.Device Resolve(string modelName, TorchSharpSettings settings)
    {
        // new Device(…) only parses; torch.device(…) would also initialise CUDA, and throw TorchSharp's message.
        var device = new torch.Device(settings.Device);
        if (device.type == DeviceType.CUDA && !torch.cuda.is_available())
        {
            throw new InvalidOperationException(
                $"Model '{modelName}' asks for the device '{settings.Device}' (TorchSharp Device setting), but this libtorch has no CUDA support or sees no GPU. " +
                "Reference a CUDA build of libtorch (such as libtorch-cuda-12.8-linux-x64) instead of libtorch-cpu-*, on a machine with an NVIDIA GPU and driver, or set Device to cpu.");
        }

        if (device.type == DeviceType.CUDA && device.index >= torch.cuda.device_count())
        {
            throw new InvalidOperationException(
                $"Model '{modelName}' asks for the device '{settings.Device}', but libtorch sees {torch.cuda.device_count()} GPU(s) (cuda:0 …).");
        }

        return device;
    }
}
