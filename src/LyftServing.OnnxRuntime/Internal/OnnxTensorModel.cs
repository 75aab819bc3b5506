using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace LyftServing.OnnxRuntime.Internal;

/// <summary>
/// The model code of the <c>onnx</c> runtime: serves a version's single <c>.onnx</c> file with
/// untyped named tensors, as used for JSON callers and models declared without C# code.
/// </summary>
/// <remarks>
/// Thread-safe: ONNX Runtime sessions run concurrent calls. Each call checks and converts its
/// features, creates its input values over the (pinned) arrays and copies the outputs out, so it
/// allocates in proportion to the tensors; the typed path (<see cref="OnnxTypedModel{TFeatures, TOutput}"/>)
/// is the one that allocates nothing.
/// </remarks>
internal sealed class OnnxTensorModel : IBatchModel<OnnxTensors, OnnxTensors>, IModelMetadataSource, IDisposable
{
    private readonly IOptionsMonitor<OnnxModelSettings> _settings;
    private readonly ILogger _logger;
    private OnnxSession? _session;
    private RunOptions? _runOptions;
    private string[] _inputNames = [];
    private string[] _outputNames = [];
    private bool _batchable;
    private string? _notBatchableReason;

    public OnnxTensorModel(IOptionsMonitor<OnnxModelSettings> settings, ILoggerFactory loggerFactory)
    {
        _settings = settings;
        _logger = loggerFactory.CreateLogger("LyftServing.OnnxRuntime");
    }

    public ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var session = OnnxSession.Create(artifact, _settings.Get(artifact.ModelName), _logger);
        try
        {
            foreach (var input in session.Inputs)
            {
                if (input.ElementType is null)
                {
                    throw new NotSupportedException(
                        $"Input '{input.Name}' of model '{artifact.ModelName}' is {input.Description}; the ONNX adapter supports tensors of float32, float64, int32, int64, bool and string.");
                }
            }

            var outputs = session.Outputs.Where(o => o.ElementType is not null).ToArray();
            if (outputs.Length == 0)
            {
                throw new NotSupportedException(
                    $"No output of model '{artifact.ModelName}' is a tensor of a supported type ({string.Join(", ", session.Outputs)}); the ONNX adapter supports tensors of float32, float64, int32, int64, bool and string.");
            }

            _inputNames = [.. session.Inputs.Select(i => i.Name)];
            _outputNames = [.. outputs.Select(o => o.Name)];
            _notBatchableReason = session.Inputs.Concat(outputs).FirstOrDefault(t => !t.HasBatchDimension) is { } fixedTensor
                ? $"'{fixedTensor.Name}' ({fixedTensor.Description}) has no dynamic first (batch) dimension"
                : null;
            _batchable = _notBatchableReason is null;
            _runOptions = new RunOptions();
            session.Own(_runOptions);
            _session = session;
        }
        catch
        {
            session.Dispose();
            throw;
        }

        return ValueTask.CompletedTask;
    }

    public OnnxTensors Predict(OnnxTensors features)
    {
        var session = Loaded();
        var prepared = FeatureConverter.Prepare(session.ModelName, session.Inputs, features);
        return Run(session, prepared);
    }

    public void PredictBatch(ReadOnlySpan<OnnxTensors> features, Span<OnnxTensors> outputs)
    {
        if (features.Length != outputs.Length)
        {
            throw new ArgumentException($"The outputs span has {outputs.Length} items, but there are {features.Length} rows of features.", nameof(outputs));
        }

        var session = Loaded();
        if (features.Length <= 1 || !_batchable)
        {
            if (features.Length > 1)
            {
                Log.BatchRunsRowByRow(_logger, session.ModelName, session.Version, features.Length, _notBatchableReason!);
            }

            for (var i = 0; i < features.Length; i++)
            {
                outputs[i] = Predict(features[i]);
            }

            return;
        }

        var rows = new FeatureConverter.PreparedInput[features.Length][];
        for (var r = 0; r < rows.Length; r++)
        {
            rows[r] = FeatureConverter.Prepare(session.ModelName, session.Inputs, features[r], $"Row {r} of the batch: ");
        }

        if (WhyNotStackable(session, rows) is { } reason)
        {
            Log.BatchRunsRowByRow(_logger, session.ModelName, session.Version, rows.Length, reason);
            for (var r = 0; r < rows.Length; r++)
            {
                outputs[r] = Run(session, rows[r]);
            }

            return;
        }

        // Stack the rows along the batch dimension, run once, and split every output back.
        var rowCounts = new long[rows.Length];
        long total = 0;
        for (var r = 0; r < rows.Length; r++)
        {
            rowCounts[r] = rows[r][0].Shape[0];
            total += rowCounts[r];
        }

        var stacked = new FeatureConverter.PreparedInput[session.Inputs.Count];
        for (var i = 0; i < stacked.Length; i++)
        {
            var first = rows[0][i];
            var shape = (long[])first.Shape.Clone();
            shape[0] = total;
            long rowLength = 1;
            for (var d = 1; d < shape.Length; d++)
            {
                rowLength *= shape[d];
            }

            var values = Array.CreateInstance(first.Values.GetType().GetElementType()!, checked((int)(rowLength * total)));
            var offset = 0;
            foreach (var row in rows)
            {
                Array.Copy(row[i].Values, 0, values, offset, row[i].Values.Length);
                offset += row[i].Values.Length;
            }

            stacked[i] = new FeatureConverter.PreparedInput(values, shape);
        }

        var batch = Run(session, stacked);
        for (var r = 0; r < rows.Length; r++)
        {
            outputs[r] = new OnnxTensors(batch.Count);
        }

        foreach (var (name, tensor) in batch)
        {
            if (tensor.Rank == 0 || tensor.Shape[0] != total)
            {
                throw new InvalidOperationException(
                    $"Model '{session.ModelName}' returned output '{name}' with shape {TensorElement.FormatShape(tensor.Shape)} for a batch of {total} rows; its first dimension must be the batch dimension.");
            }

            long rowLength = 1;
            for (var d = 1; d < tensor.Rank; d++)
            {
                rowLength *= tensor.Shape[d];
            }

            long start = 0;
            for (var r = 0; r < rows.Length; r++)
            {
                var shape = tensor.ShapeArray.ToArray();
                shape[0] = rowCounts[r];
                var length = checked((int)(rowLength * rowCounts[r]));
                var values = Array.CreateInstance(tensor.ElementType, length);
                Array.Copy(tensor.Values, start, values, 0, length);
                start += length;
                outputs[r].Add(name, OnnxTensor.CreateUnchecked(values, shape));
            }
        }
    }

    public object GetMetadata() => Loaded().Metadata;

    public void Dispose() => _session?.Dispose();

    private OnnxSession Loaded() =>
        _session ?? throw new InvalidOperationException("The ONNX model is not loaded; LoadAsync must complete first.");

    /// <summary>Rows can be stacked when, in every row, all inputs have the same number of rows and the other dimensions match the first row's.</summary>
    private static string? WhyNotStackable(OnnxSession session, FeatureConverter.PreparedInput[][] rows)
    {
        for (var r = 0; r < rows.Length; r++)
        {
            var rowCount = rows[r][0].Shape[0];
            for (var i = 0; i < session.Inputs.Count; i++)
            {
                var shape = rows[r][i].Shape;
                if (shape[0] != rowCount)
                {
                    return $"row {r} has inputs with different batch sizes";
                }

                var reference = rows[0][i].Shape;
                for (var d = 1; d < shape.Length; d++)
                {
                    if (shape[d] != reference[d])
                    {
                        return $"input '{session.Inputs[i].Name}' has shape {TensorElement.FormatShape(shape)} in row {r} but {TensorElement.FormatShape(reference)} in row 0";
                    }
                }
            }
        }

        return null;
    }

    private OnnxTensors Run(OnnxSession session, FeatureConverter.PreparedInput[] prepared)
    {
        var values = new OrtValue[prepared.Length];
        session.Enter();
        try
        {
            for (var i = 0; i < prepared.Length; i++)
            {
                values[i] = OrtValues.Create(prepared[i].Values, prepared[i].Shape);
            }

            using var results = session.Session.Run(_runOptions, _inputNames, values, _outputNames);
            var outputs = new OnnxTensors(_outputNames.Length);
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

            session.Exit();
        }
    }
}
