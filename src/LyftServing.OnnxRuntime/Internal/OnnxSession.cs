using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace LyftServing.OnnxRuntime.Internal;

/// <summary>
/// One version's <see cref="InferenceSession"/>, its signature, and the lifetime that keeps it
/// alive while calls run (disposing waits for the last running call).
/// </summary>
internal sealed class OnnxSession
{
    private OnnxSession(ModelArtifact artifact, InferenceSession session, string executionProvider)
    {
        ModelName = artifact.ModelName;
        Version = artifact.Version;
        Session = session;
        Lifetime = new NativeLifetime($"Model '{ModelName}' version '{Version}'");
        Lifetime.Own(session);
        var inputs = new List<TensorSpec>();
        foreach (var name in session.InputNames)
        {
            inputs.Add(TensorElement.ToSpec(name, session.InputMetadata[name])
                ?? throw new NotSupportedException(
                    $"Input '{name}' of model '{ModelName}' is {TensorElement.Describe(session.InputMetadata[name])}; the onnx runtime supports tensors of float32, float64, int32, int64, bool and string."));
        }

        // Outputs of other types are left out: the model still serves the ones it can return.
        var outputs = session.OutputNames.Select(n => TensorElement.ToSpec(n, session.OutputMetadata[n])).OfType<TensorSpec>().ToList();
        if (outputs.Count == 0)
        {
            throw new NotSupportedException(
                $"No output of model '{ModelName}' is a tensor of a supported type ({string.Join(", ", session.OutputNames.Select(n => $"{n} ({TensorElement.Describe(session.OutputMetadata[n])})"))}); the onnx runtime supports tensors of float32, float64, int32, int64, bool and string.");
        }

        Signature = new ModelSignature(inputs, outputs);
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
            ExecutionProvider = executionProvider,
            ProducerName = string.IsNullOrEmpty(modelMetadata?.ProducerName) ? null : modelMetadata.ProducerName,
            GraphName = string.IsNullOrEmpty(modelMetadata?.GraphName) ? null : modelMetadata.GraphName,
        };
    }

    public string ModelName { get; }

    public string Version { get; }

    public InferenceSession Session { get; }

    public NativeLifetime Lifetime { get; }

    public ModelSignature Signature { get; }

    public OnnxModelMetadata Metadata { get; }

    /// <summary>Creates the session of a version from its single <c>.onnx</c> file and its settings.</summary>
    public static OnnxSession Create(ModelArtifact artifact, OnnxModelSettings settings, ILogger logger)
    {
        var path = artifact.GetSingleFile(".onnx");
        using var options = CreateOptions(artifact.ModelName, settings);
        var session = new InferenceSession(path, options);
        var provider = settings.ExecutionProvider == OnnxExecutionProvider.Cuda ? "CUDAExecutionProvider" : "CPUExecutionProvider";
        OnnxSession created;
        try
        {
            created = new OnnxSession(artifact, session, provider);
        }
        catch
        {
            session.Dispose();
            throw;
        }

        Log.SessionCreated(
            logger,
            artifact.ModelName,
            artifact.Version,
            provider,
            settings.IntraOpNumThreads,
            settings.InterOpNumThreads,
            settings.GraphOptimizationLevel,
            new TensorList(created.Signature.Inputs),
            new TensorList(created.Signature.Outputs));
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
}
