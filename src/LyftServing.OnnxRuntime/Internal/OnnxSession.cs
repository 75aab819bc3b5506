using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace LyftServing.OnnxRuntime.Internal;

/// <summary>
/// One version's <see cref="InferenceSession"/>, its inputs and outputs, and a guard that keeps it
/// alive while calls run: disposing it waits for the last running call, so a call that outlives
/// the host's drain timeout never runs on a released native session.
/// </summary>
internal sealed class OnnxSession : IDisposable
{
    private const int DisposedFlag = int.MinValue;
    private readonly List<IDisposable> _ownedResources = [];
    private int _state;
    private int _released;

    private OnnxSession(string modelName, string version, InferenceSession session, string executionProvider)
    {
        ModelName = modelName;
        Version = version;
        Session = session;
        Inputs = [.. session.InputNames.Select(n => new TensorInfo(n, session.InputMetadata[n]))];
        Outputs = [.. session.OutputNames.Select(n => new TensorInfo(n, session.OutputMetadata[n]))];
        ModelMetadata? modelMetadata = null;
        try
        {
            modelMetadata = session.ModelMetadata;
        }
        catch (OnnxRuntimeException)
        {
            // Optional information; some files carry none.
        }

        Metadata = new OnnxModelMetadata
        {
            Inputs = [.. Inputs.Select(i => i.Metadata)],
            Outputs = [.. Outputs.Select(o => o.Metadata)],
            ExecutionProvider = executionProvider,
            ProducerName = string.IsNullOrEmpty(modelMetadata?.ProducerName) ? null : modelMetadata.ProducerName,
            GraphName = string.IsNullOrEmpty(modelMetadata?.GraphName) ? null : modelMetadata.GraphName,
        };
    }

    public string ModelName { get; }

    public string Version { get; }

    public InferenceSession Session { get; }

    public IReadOnlyList<TensorInfo> Inputs { get; }

    public IReadOnlyList<TensorInfo> Outputs { get; }

    public OnnxModelMetadata Metadata { get; }

    /// <summary>Creates the session of a version from its single <c>.onnx</c> file and the model's settings.</summary>
    public static OnnxSession Create(ModelArtifact artifact, OnnxModelSettings settings, ILogger logger)
    {
        var path = artifact.GetSingleFile(".onnx");
        using var options = CreateOptions(artifact.ModelName, settings);
        var session = new InferenceSession(path, options);
        var provider = settings.ExecutionProvider == OnnxExecutionProvider.Cuda ? "CUDAExecutionProvider" : "CPUExecutionProvider";
        var created = new OnnxSession(artifact.ModelName, artifact.Version, session, provider);
        Log.SessionCreated(
            logger,
            artifact.ModelName,
            artifact.Version,
            provider,
            settings.IntraOpNumThreads,
            settings.InterOpNumThreads,
            settings.GraphOptimizationLevel,
            new TensorList(created.Inputs),
            new TensorList(created.Outputs));
        return created;
    }

    /// <summary>Builds the session options of a model's settings; throws a clear error when CUDA is asked for but unavailable.</summary>
    public static SessionOptions CreateOptions(string modelName, OnnxModelSettings settings)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = settings.IntraOpNumThreads,
            InterOpNumThreads = settings.InterOpNumThreads,
            ExecutionMode = settings.InterOpNumThreads == 1 ? ExecutionMode.ORT_SEQUENTIAL : ExecutionMode.ORT_PARALLEL,
            GraphOptimizationLevel = settings.GraphOptimizationLevel switch
            {
                OnnxGraphOptimizationLevel.None => GraphOptimizationLevel.ORT_DISABLE_ALL,
                OnnxGraphOptimizationLevel.Basic => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                OnnxGraphOptimizationLevel.Extended => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
            },
            LogId = modelName,
        };

        if (settings.ExecutionProvider == OnnxExecutionProvider.Cuda)
        {
            try
            {
                AppendCuda(modelName, settings, options);
            }
            catch
            {
                options.Dispose();
                throw;
            }
        }

        return options;
    }

    private static void AppendCuda(string modelName, OnnxModelSettings settings, SessionOptions options)
    {
        var available = OrtEnv.Instance().GetAvailableProviders();
        if (!available.Contains("CUDAExecutionProvider", StringComparer.Ordinal))
        {
            throw new InvalidOperationException(
                $"Model '{modelName}' asks for the CUDA execution provider (ModelServing:Models:{modelName}:Onnx:ExecutionProvider = Cuda), " +
                $"but this ONNX Runtime build has no CUDA support (available providers: {string.Join(", ", available)}). " +
                "Reference Microsoft.ML.OnnxRuntime.Gpu instead of Microsoft.ML.OnnxRuntime and install CUDA and cuDNN, or set ExecutionProvider to Cpu.");
        }

        try
        {
            options.AppendExecutionProvider_CUDA(settings.DeviceId);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidOperationException(
                $"Model '{modelName}' asks for the CUDA execution provider on device {settings.DeviceId}, but CUDA could not be initialised: {ex.Message} " +
                "Check that the GPU, its driver, CUDA and cuDNN match this ONNX Runtime build, or set ExecutionProvider to Cpu.",
                ex);
        }
    }

    /// <summary>Counts a call in; <see langword="false"/> once the session is disposed.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _state) < 0)
        {
            Exit();
            return false;
        }

        return true;
    }

    /// <summary>Counts a call out; the last call out of a disposed session releases it.</summary>
    public void Exit()
    {
        if (Interlocked.Decrement(ref _state) == DisposedFlag)
        {
            Release();
        }
    }

    /// <summary>Enters, or throws the error a caller of a retired version should see.</summary>
    public void Enter()
    {
        if (!TryEnter())
        {
            throw new ObjectDisposedException(nameof(OnnxSession), $"Model '{ModelName}' version '{Version}' has been unloaded.");
        }
    }

    /// <summary>Registers a native resource (bindings, buffers) to release before the session itself.</summary>
    public void Own(IDisposable resource)
    {
        lock (_ownedResources)
        {
            _ownedResources.Add(resource);
        }
    }

    public void Dispose()
    {
        var before = Interlocked.Or(ref _state, DisposedFlag);
        if (before >= 0 && (before & int.MaxValue) == 0)
        {
            Release();
        }
    }

    private void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        // Bindings and the buffers bound to them go first: they refer to the session.
        lock (_ownedResources)
        {
            for (var i = _ownedResources.Count - 1; i >= 0; i--)
            {
                _ownedResources[i].Dispose();
            }

            _ownedResources.Clear();
        }

        Session.Dispose();
    }
}
