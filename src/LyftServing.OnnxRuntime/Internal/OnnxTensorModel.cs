using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace LyftServing.OnnxRuntime.Internal;

/// <summary>
/// The model code of the <c>onnx</c> runtime: serves a version's single <c>.onnx</c> file with
/// named tensors, as used for JSON callers and models declared without C# code. The kit
/// (<see cref="TensorModel"/>) checks and converts the features and stacks batches; this class
/// creates the session and runs it.
/// </summary>
/// <remarks>
/// Thread-safe: ONNX Runtime sessions run concurrent calls. Each call creates its input values over
/// the checked (pinned) buffers and copies the outputs out, so it allocates in proportion to the
/// outputs; the typed path (<see cref="OnnxTypedModel{TFeatures, TOutput}"/>) allocates nothing.
/// </remarks>
internal sealed class OnnxTensorModel(IModelSettings<OnnxModelSettings> settings, ILoggerFactory loggerFactory)
    : TensorModel(loggerFactory.CreateLogger("LyftServing.OnnxRuntime")), IModelMetadataSource
{
    private OnnxSession? _session;
    private OnnxRowBinding? _rowBinding;
    private RunOptions? _runOptions;
    private string[] _inputNames = [];
    private string[] _outputNames = [];

    public override ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var session = OnnxSession.Create(artifact, settings.Read(artifact), Logger);
        _runOptions = new RunOptions();
        session.Lifetime.Own(_runOptions);
        _inputNames = [.. session.Signature.Inputs.Select(i => i.Name)];
        _outputNames = [.. session.Signature.Outputs.Select(o => o.Name)];
        try
        {
            _rowBinding = OnnxRowBinding.TryCreate(session);
        }
        catch
        {
            session.Lifetime.Dispose();
            throw;
        }

        _session = session;
        OnLoaded(artifact, session.Signature, session.Lifetime);
        return ValueTask.CompletedTask;
    }

    /// <summary>Gets whether calls of one row run on pooled I/O bindings (for tests).</summary>
    internal bool RunsRowsOnBindings => _rowBinding is not null;

    public object GetMetadata() => (_session ?? throw new InvalidOperationException("The ONNX model is not loaded; LoadAsync must complete first.")).Metadata;

    protected override Tensors Run(TensorInputs inputs)
    {
        if (inputs.RowCount == 1 && _rowBinding is { } rowBinding)
        {
            return rowBinding.Run(inputs);
        }

        var values = new OrtValue[inputs.Count];
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = OrtValues.Create(inputs, i);
            }

            using var results = _session!.Session.Run(_runOptions, _inputNames, values, _outputNames);
            var outputs = new Tensors();
            var index = 0;
            foreach (var result in results)
            {
                outputs.Add(_outputNames[index], OrtValues.ToTensor(result, _outputNames[index]));
                index++;
            }

            return outputs;
        }
        finally
        {
            foreach (var value in values)
            {
                value?.Dispose();
            }
        }
    }
}
