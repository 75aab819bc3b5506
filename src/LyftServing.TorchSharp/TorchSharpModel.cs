using LyftServing.TorchSharp.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;

namespace LyftServing.TorchSharp;

/// <summary>
/// The base of typed model code that runs a TorchSharp module: a network written in C#
/// (<c>nn.Module&lt;Tensor, Tensor&gt;</c> of TorchSharp) whose weights a version's files hold, or a TorchScript
/// file. Derive from it and write how features become one input tensor (<see cref="CreateInput"/>)
/// and how the output tensor becomes outputs (<see cref="ReadOutput"/>); override
/// <see cref="LoadModule"/> to build a C# module and load its weights (by default the version's
/// single <c>.pt</c> file is loaded as TorchScript). The base does the rest on every call:
/// inference mode (no autograd), a dispose scope that frees every tensor the call creates, the
/// model's intra-op threads, and the version's lifetime, so the module is never disposed under a
/// running call. Batches (<see cref="IBatchModel{TFeatures, TOutput}"/>, used by dynamic batching)
/// run as one forward call over all rows.
/// </summary>
/// <typeparam name="TFeatures">The features type.</typeparam>
/// <typeparam name="TOutput">The output type.</typeparam>
/// <remarks>
/// Thread-safe if <see cref="CreateInput"/> and <see cref="ReadOutput"/> are: libtorch runs
/// concurrent forward calls of one module in evaluation mode. Register a model with
/// <c>AddTorchSharpModel&lt;TModel, TFeatures, TOutput&gt;</c>, which also registers
/// <see cref="TorchSharpSettings"/>. The host disposes the instance after the version has
/// drained; the module is released once the last running call has returned.
/// </remarks>
public abstract class TorchSharpModel<TFeatures, TOutput> : IBatchModel<TFeatures, TOutput>, IDisposable
{
    private readonly IModelSettings<TorchSharpSettings> _settings;
    private readonly ILogger _logger;
    private torch.nn.IModule<torch.Tensor, torch.Tensor>? _module;
    private NativeLifetime? _lifetime;
    private torch.Device _device = torch.CPU;
    private int _threads;

    /// <summary>Initialises the model code.</summary>
    /// <param name="settings">The model's TorchSharp settings (device, intra-op threads), read at each load.</param>
    /// <param name="logger">Where to log each load, or <see langword="null"/> for nowhere.</param>
    protected TorchSharpModel(IModelSettings<TorchSharpSettings> settings, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the device the loaded version runs on (<see cref="TorchSharpSettings.Device"/>).</summary>
    protected torch.Device Device => _device;

    /// <summary>
    /// Loads a version: reads its settings, creates the module with <see cref="LoadModule"/>,
    /// moves it to the device and puts it in evaluation mode.
    /// </summary>
    /// <param name="artifact">The version's files.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>A task that completes when the version is loaded.</returns>
    /// <exception cref="DllNotFoundException">libtorch cannot load on this system; the message says why and how to fix it.</exception>
    public ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        TorchNative.EnsureLoaded();
        var options = _settings.Read(artifact);
        var where = $"Model '{artifact.ModelName}' version '{artifact.Version}'";
        if (options.Inputs.Count > 0 || options.Outputs.Count > 0)
        {
            throw new InvalidOperationException(
                $"{where} declares TorchSharp inputs or outputs, which only the torchscript runtime reads; {GetType().Name} maps its features in CreateInput and its outputs in ReadOutput.");
        }

        var device = TorchDevices.Resolve(artifact.ModelName, options);
        var module = LoadModule(artifact, device) ?? throw new InvalidOperationException($"{GetType().Name}.LoadModule returned null.");
        var lifetime = new NativeLifetime(where);
        lifetime.Own(TorchModules.Releaser(module));

        try
        {
            if (module is torch.nn.Module loaded)
            {
                loaded.to(device);
                loaded.eval();
            }

            Log.ModuleLoaded(_logger, artifact.ModelName, artifact.Version, module.GetType().Name, options.Device, options.IntraOpThreads);
        }
        catch
        {
            lifetime.Dispose();
            throw;
        }

        (_module, _device, _threads, _lifetime) = (module, device, options.IntraOpThreads, lifetime);
        return ValueTask.CompletedTask;
    }

    /// <summary>Predicts from one set of features: one forward call on a batch of one row.</summary>
    /// <param name="features">The features.</param>
    /// <returns>The output.</returns>
    public TOutput Predict(TFeatures features)
    {
        TOutput output = default!;
        Run(new ReadOnlySpan<TFeatures>(ref features), new Span<TOutput>(ref output));
        return output;
    }

    /// <summary>Predicts many sets of features in one forward call.</summary>
    /// <param name="features">The rows.</param>
    /// <param name="outputs">Receives the output of row <c>i</c> at index <c>i</c>.</param>
    public void PredictBatch(ReadOnlySpan<TFeatures> features, Span<TOutput> outputs)
    {
        if (features.Length != outputs.Length)
        {
            throw new ArgumentException($"The outputs span has {outputs.Length} items, but there are {features.Length} rows of features.", nameof(outputs));
        }

        if (features.Length > 0)
        {
            Run(features, outputs);
        }
    }

    /// <summary>Releases the module once no call runs any more.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Creates the version's module. By default loads the version's single <c>.pt</c> file as
    /// TorchScript; override it to build a module written in C# and load its weights, such as
    /// <c>var net = new TripNet(); net.load(artifact.GetPath("weights.dat")); return net;</c>.
    /// </summary>
    /// <param name="artifact">The version's files.</param>
    /// <param name="device">The device to load onto; the base also moves the module there.</param>
    /// <returns>The module; the version owns and disposes it.</returns>
    protected virtual torch.nn.IModule<torch.Tensor, torch.Tensor> LoadModule(ModelArtifact artifact, torch.Device device)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(device);
        return torch.jit.load<torch.Tensor, torch.Tensor>(artifact.GetSingleFile(".pt"), device.type, device.index);
    }

    /// <summary>
    /// Creates the input tensor of <paramref name="features"/>: one row per item, such as
    /// <c>tensor(values, [features.Length, 8])</c>. It runs inside the call's dispose scope, so
    /// every tensor it creates is freed when the call ends; a tensor on the CPU is moved to
    /// <see cref="Device"/>.
    /// </summary>
    /// <param name="features">The rows: one for <see cref="Predict"/>, several for a batch.</param>
    /// <returns>The input tensor.</returns>
    protected abstract torch.Tensor CreateInput(ReadOnlySpan<TFeatures> features);

    /// <summary>
    /// Reads the outputs from the module's output tensor (on the CPU), one per row, such as
    /// <c>var scores = output.data&lt;float&gt;(); for (…) outputs[i] = scores[i];</c>. Copy what
    /// you keep: the tensor is freed when the call ends.
    /// </summary>
    /// <param name="output">The module's output for all rows.</param>
    /// <param name="outputs">Receives the output of row <c>i</c> at index <c>i</c>.</param>
    protected abstract void ReadOutput(torch.Tensor output, Span<TOutput> outputs);

    /// <summary>Disposes the version's lifetime (the module goes once no call runs).</summary>
    /// <param name="disposing">Whether this is a call to <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _lifetime?.Dispose();
        }
    }

    private void Run(ReadOnlySpan<TFeatures> features, Span<TOutput> outputs)
    {
        var lifetime = _lifetime ?? throw new InvalidOperationException("The model is not loaded; LoadAsync must complete first.");
        using var entered = lifetime.Enter();
        using var call = TorchCall.Begin(_threads);
        var input = CreateInput(features);
        if (input.device_type != _device.type || (_device.type != DeviceType.CPU && input.device_index != _device.index))
        {
            input = input.to(_device);
        }

        var output = _module!.call(input);
        ReadOutput(output.device_type == DeviceType.CPU ? output : output.cpu(), outputs);
    }
}
