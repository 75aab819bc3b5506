using Microsoft.Extensions.Logging;
using TorchSharp;

namespace LyftServing.TorchSharp.Internal;

/// <summary>
/// The model code of the <c>torchscript</c> runtime: serves a version's single <c>.pt</c> file
/// (<c>torch.jit.save</c>) with named tensors, its inputs and outputs declared in
/// <c>model.json</c>'s properties. The kit (<see cref="TensorModel"/>) checks and converts the
/// features and stacks batches; this class loads the module, checks the declaration against it,
/// and runs it.
/// </summary>
/// <remarks>
/// Thread-safe: libtorch runs concurrent calls of one module. Each call runs in inference mode
/// inside a dispose scope (<see cref="TorchCall"/>) and copies the outputs out before the scope
/// frees every tensor it created.
/// </remarks>
internal sealed class TorchScriptModel(IModelSettings<TorchSharpSettings> settings, ILoggerFactory loggerFactory)
    : TensorModel(loggerFactory.CreateLogger("LyftServing.TorchSharp")), IModelWarmup
{
    /// <summary>The number of rows of the zero inputs the load runs the model on.</summary>
    private const int CheckRows = 2;

    private torch.jit.ScriptModule? _module;
    private string? _method;
    private torch.Device _device = torch.CPU;
    private int _threads;
    private string _modelName = string.Empty;
    private string[] _outputNames = [];
    private Tensors? _checkInputs;

    public override ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        TorchNative.EnsureLoaded();
        var options = settings.Read(artifact);
        var where = $"Model '{artifact.ModelName}' version '{artifact.Version}'";
        if (options.Inputs.Count == 0 || options.Outputs.Count == 0)
        {
            throw new InvalidOperationException(
                $"{where} declares no {(options.Inputs.Count == 0 ? "inputs" : "outputs")}: a TorchScript file does not name its inputs and outputs, so model.json's properties must, such as " +
                """{"runtime": "torchscript", "properties": {"inputs": [{"name": "features", "dtype": "float32", "shape": [-1, 8]}], "outputs": ["score"]}}.""");
        }

        _modelName = artifact.ModelName;
        _device = TorchDevices.Resolve(artifact.ModelName, options);
        _threads = options.IntraOpThreads;
        _outputNames = [.. options.Outputs.Select(o => o.Name)];
        var path = artifact.GetSingleFile(".pt");
        var archive = TorchScriptArchive.Read(path);
        var file = Path.GetFileName(path);
        _method = archive.ReturnsDictionary ? TorchScriptArchive.TupleForward : null;
        _module = Load(path, archive, file, where);
        var lifetime = new NativeLifetime(where);
        lifetime.Own(TorchModules.Releaser(_module));
        try
        {
            _module.eval();
            CheckInputCount(archive, options, file, where);
            var inputs = options.Inputs.Select(Input).ToList();
            var signature = CheckRun(artifact, options, inputs, file, where);
            OnLoaded(artifact, signature, lifetime);
            Log.ScriptModuleLoaded(Logger, artifact.ModelName, artifact.Version, file, options.Device, _threads, new TensorList(signature.Inputs), new TensorList(signature.Outputs));
        }
        catch
        {
            lifetime.Dispose();
            throw;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Runs the load's zero inputs twice more, so TorchScript's profiling executor has optimised the module before the first call.</summary>
    public ValueTask WarmUpAsync(CancellationToken cancellationToken)
    {
        if (_checkInputs is { } inputs)
        {
            for (var i = 0; i < 2 && !cancellationToken.IsCancellationRequested; i++)
            {
                Predict(inputs);
            }
        }

        return ValueTask.CompletedTask;
    }

    protected override Tensors Run(TensorInputs inputs)
    {
        using var call = TorchCall.Begin(_threads);
        var args = new object[inputs.Count];
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = TorchTensors.FromInput(inputs, i, _device);
        }

        var module = _module!;
        var results = TorchTensors.Flatten(_method is null ? module.forward(args) : module.invoke(_method, args), _modelName);
        if (results.Length != _outputNames.Length)
        {
            throw new InvalidOperationException(
                $"Model '{_modelName}' returned {results.Length} tensors, but model.json declares {_outputNames.Length} outputs ({string.Join(", ", _outputNames)}).");
        }

        var outputs = new Tensors();
        for (var i = 0; i < results.Length; i++)
        {
            outputs.Add(_outputNames[i], TorchTensors.ToTensor(results[i], _modelName, _outputNames[i]));
        }

        return outputs;
    }

    private static TensorSpec Input(TorchScriptTensor declared)
    {
        long[] shape = declared.Shape ?? [-1, -1];
        return new TensorSpec(declared.Name, declared.DType ?? TensorElementType.Float32, shape, BatchName(shape));
    }

    private static string?[] BatchName(long[] shape)
    {
        var names = new string?[shape.Length];
        if (shape.Length > 0 && shape[0] < 0)
        {
            names[0] = "N";
        }

        return names;
    }

    private torch.jit.ScriptModule Load(string path, TorchScriptArchive archive, string file, string where)
    {
        try
        {
            // Dictionary results (which TorchSharp cannot return) come back as a tuple of the declared keys.
            return _method is null
                ? torch.jit.load(path, _device.type, _device.index)
                : torch.jit.load(archive.WithTupleForward(_outputNames), _device.type, _device.index);
        }
        catch (Exception ex) when (ex is System.Runtime.InteropServices.ExternalException or InvalidOperationException)
        {
            throw new InvalidDataException($"{where}: libtorch cannot load '{file}' as TorchScript: {TorchErrors.Summary(ex)}", ex);
        }
    }

    private void CheckInputCount(TorchScriptArchive archive, TorchSharpSettings options, string file, string where)
    {
        var takes = _module!.GetNumberOfInputs();
        var declared = options.Inputs.Count;
        var forward = archive.ForwardSignature;
        var optional = forward?.ParameterDeclarations.Skip(declared).All(p => p.Contains('=', StringComparison.Ordinal)) == true;
        if (declared > takes || (declared < takes && !optional))
        {
            var parameters = forward is null ? string.Empty : $" ({string.Join(", ", forward.Parameters)})";
            throw new InvalidOperationException(
                $"{where}: model.json declares {declared} input{(declared == 1 ? string.Empty : "s")} ({string.Join(", ", options.Inputs.Select(i => i.Name))}), " +
                $"but forward in '{file}' takes {takes}{parameters}: declare one input per forward parameter, in order.");
        }
    }

    /// <summary>
    /// Runs the module once on zeros of the declared inputs, when their shapes are known, so that a
    /// declaration that disagrees with the file fails the load; the outputs' types and shapes come
    /// from that run. Returns the version's signature.
    /// </summary>
    private ModelSignature CheckRun(ModelArtifact artifact, TorchSharpSettings options, List<TensorSpec> inputs, string file, string where)
    {
        var declaredOutputs = options.Outputs.Select(Input).ToList();
        var provisional = new ModelSignature(inputs, declaredOutputs);
        if (inputs.FirstOrDefault(i => i.Dimensions.Skip(i.HasBatchDimension ? 1 : 0).Any(d => d < 0)) is { } open)
        {
            Log.LoadCheckSkipped(Logger, artifact.ModelName, artifact.Version, open.Name);
            return provisional;
        }

        var zeros = new Tensors();
        foreach (var input in inputs)
        {
            var shape = input.Dimensions.Select((d, i) => i == 0 && d < 0 ? CheckRows : d).ToArray();
            var length = (int)shape.Aggregate(1L, (a, b) => a * b);
            zeros.Add(input.Name, input.ElementType switch
            {
                TensorElementType.Float64 => Tensor.Create(new double[length], shape),
                TensorElementType.Int32 => Tensor.Create(new int[length], shape),
                TensorElementType.Int64 => Tensor.Create(new long[length], shape),
                TensorElementType.Bool => Tensor.Create(new bool[length], shape),
                _ => Tensor.Create(new float[length], shape),
            });
        }

        Tensors results;
        try
        {
            using var bound = provisional.BindInputs(artifact.ModelName, zeros);
            results = Run(bound);
        }
        catch (Exception ex) when (ex is System.Runtime.InteropServices.ExternalException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"{where}: running '{file}' on zeros of the declared inputs ({string.Join(", ", inputs.Select(i => $"{i.Name} {i}"))}) failed, " +
                $"so model.json's declaration does not fit the model (check the inputs' order, dtypes and shapes, and the outputs): {TorchErrors.Summary(ex)}",
                ex);
        }

        var batched = inputs.All(i => i.HasBatchDimension);
        var outputs = new List<TensorSpec>();
        foreach (var declared in options.Outputs)
        {
            var actual = results[declared.Name];
            var dimensions = actual.Shape.ToArray().Select((d, i) => i == 0 && batched && d == CheckRows ? -1L : d).ToArray();
            if (declared.DType is { } type && type != actual.ElementType)
            {
                throw new InvalidOperationException(
                    $"{where}: model.json declares output '{declared.Name}' as {type.Name()}, but '{file}' returns {actual.ElementType.Name()}.");
            }

            if (declared.Shape is { } shape
                && (shape.Length != dimensions.Length || shape.Where((d, i) => d >= 0 && d != dimensions[i]).Any()))
            {
                throw new InvalidOperationException(
                    $"{where}: model.json declares output '{declared.Name}' with shape [{string.Join(",", shape)}], but '{file}' returns shape [{string.Join(",", actual.Shape.ToArray())}] for {CheckRows} rows.");
            }

            outputs.Add(new TensorSpec(declared.Name, actual.ElementType, dimensions, BatchName(dimensions)));
        }

        _checkInputs = zeros;
        return new ModelSignature(inputs, outputs);
    }
}
