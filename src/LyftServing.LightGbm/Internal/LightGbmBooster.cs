using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace LyftServing.LightGbm.Internal;

/// <summary>
/// One version's LightGBM booster: the native handle, what the model file says about it (features,
/// outputs per row), its signature, its single-row predictors (one per calling thread), and the
/// lifetime that keeps them alive while calls run (disposing waits for the last running call).
/// </summary>
/// <remarks>
/// Thread-safe: LightGBM's matrix API takes a shared lock on the booster, and each thread's
/// single-row calls use its own fast configuration (LightGBM serialises calls on one).
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The lifetime owns the handle and the predictors and releases them after the last call.")]
internal sealed unsafe class LightGbmBooster
{
    /// <summary>The name of the input: rows of the model's features, as for a tabular ONNX model.</summary>
    public const string InputName = "features";

    /// <summary>The name of the output: one row of scores per row of features.</summary>
    public const string OutputName = "score";

    private readonly BoosterHandle _handle;
    private readonly string _description;
    private readonly string _parameters;
    private readonly int _predictType;
    private readonly int _startIteration;
    private readonly int _iterations;
    private readonly LightGbmRowPredictors _rows;

    private LightGbmBooster(ModelArtifact artifact, BoosterHandle handle, int iterations, LightGbmModelSettings settings)
    {
        _handle = handle;
        _description = $"Model '{artifact.ModelName}' version '{artifact.Version}'";
        _parameters = string.Create(CultureInfo.InvariantCulture, $"num_threads={settings.NumThreads}");
        _predictType = (int)settings.PredictionType;
        _startIteration = settings.StartIteration;
        _iterations = settings.NumIterations;
        Lifetime = new NativeLifetime(_description);
        Lifetime.Own(handle);

        LightGbmApi.Check(LightGbmApi.LGBM_BoosterGetNumFeature(handle, out var featureCount), _description, nameof(LightGbmApi.LGBM_BoosterGetNumFeature));
        LightGbmApi.Check(LightGbmApi.LGBM_BoosterGetNumClasses(handle, out var classes), _description, nameof(LightGbmApi.LGBM_BoosterGetNumClasses));
        LightGbmApi.Check(
            LightGbmApi.LGBM_BoosterCalcNumPredict(handle, 1, _predictType, _startIteration, _iterations, out var outputCount),
            _description, nameof(LightGbmApi.LGBM_BoosterCalcNumPredict));
        FeatureCount = featureCount;
        OutputCount = checked((int)outputCount);
        FeatureNames = ReadFeatureNames(handle, featureCount);
        Signature = new ModelSignature(
            [new TensorSpec(InputName, TensorElementType.Float64, [-1, FeatureCount], ["N", null]) { ColumnNames = FeatureNames }],
            [new TensorSpec(OutputName, TensorElementType.Float64, [-1, OutputCount], ["N", null])]);
        Metadata = new LightGbmModelMetadata
        {
            Objective = ReadObjective(handle),
            Iterations = iterations,
            Classes = classes,
            PredictionType = settings.PredictionType,
        };

        // Registered after the booster, so released before it: fast configurations refer to it.
        _rows = new LightGbmRowPredictors(CreateRowPredictor, _description);
        Lifetime.Own(_rows);

        // One up front (the loading thread's): a configuration LightGBM refuses fails the load.
        _rows.Exit(_rows.Enter());
    }

    public NativeLifetime Lifetime { get; }

    public int FeatureCount { get; }

    public int OutputCount { get; }

    public IReadOnlyList<string> FeatureNames { get; }

    public ModelSignature Signature { get; }

    public LightGbmModelMetadata Metadata { get; }

    /// <summary>Gets the raw booster handle (for benchmarks that call the C API on it directly).</summary>
    internal BoosterHandle Handle => _handle;

    /// <summary>Loads the booster of a version from its single <c>.txt</c> model file.</summary>
    /// <exception cref="LightGbmException">LightGBM cannot read the file, or refuses the settings.</exception>
    public static LightGbmBooster Load(ModelArtifact artifact, LightGbmModelSettings settings, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var path = artifact.GetSingleFile(".txt");
        string model;
        try
        {
            // Checked first: LightGBM itself may read out of bounds or end the process on a damaged file.
            model = LightGbmModelText.Check(File.ReadAllText(path));
        }
        catch (InvalidDataException ex)
        {
            throw NotAModel(artifact, path, ex.Message, ex);
        }

        if (LightGbmApi.LGBM_BoosterLoadModelFromString(model, out var iterations, out var handle) != 0)
        {
            var reason = LightGbmApi.LastError();
            handle.Dispose();
            throw NotAModel(artifact, path, reason, inner: null);
        }

        LightGbmBooster booster;
        try
        {
            booster = new LightGbmBooster(artifact, handle, iterations, settings);
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        Log.BoosterLoaded(logger, artifact.ModelName, artifact.Version, booster.Metadata.Objective ?? "unknown", iterations, booster.FeatureCount, booster.OutputCount, settings.PredictionType, settings.NumThreads);
        return booster;
    }

    private static LightGbmException NotAModel(ModelArtifact artifact, string path, string reason, Exception? inner)
    {
        var message = $"Model '{artifact.ModelName}' version '{artifact.Version}': '{Path.GetFileName(path)}' is not a LightGBM model file LightGBM can read: {reason}";
        return inner is null ? new LightGbmException(message) : new LightGbmException(message, inner);
    }

    /// <summary>Scores rows through the matrix API. The caller is inside <see cref="Lifetime"/>.</summary>
    /// <param name="rows">The rows, row-major, <see cref="FeatureCount"/> values each.</param>
    /// <param name="rowCount">The number of rows.</param>
    /// <param name="scores">Receives <see cref="OutputCount"/> values per row.</param>
    public void Predict(ReadOnlySpan<double> rows, int rowCount, Span<double> scores)
    {
        if (rowCount == 0)
        {
            return;
        }

        long length;
        int result;
        fixed (double* data = rows)
        fixed (double* output = scores)
        {
            result = LightGbmApi.LGBM_BoosterPredictForMat(
                _handle, data, LightGbmApi.DataTypeFloat64, rowCount, FeatureCount, LightGbmApi.RowMajor,
                _predictType, _startIteration, _iterations, _parameters, out length, output);
        }

        LightGbmApi.Check(result, _description, nameof(LightGbmApi.LGBM_BoosterPredictForMat));
        CheckLength(length, (long)rowCount * OutputCount);
    }

    /// <summary>Scores one row through the fast single-row API on the calling thread's configuration.</summary>
    /// <param name="row">The row: <see cref="FeatureCount"/> values.</param>
    /// <param name="scores">Receives <see cref="OutputCount"/> values.</param>
    public void PredictRow(ReadOnlySpan<double> row, Span<double> scores)
    {
        var predictor = Rows.Enter();
        try
        {
            fixed (double* data = row)
            fixed (double* output = scores)
            {
                predictor.Predict(data, output);
            }
        }
        finally
        {
            Rows.Exit(predictor);
        }
    }

    /// <summary>Gets the single-row predictors (with their own row and score buffers): enter the calling thread's, and exit it.</summary>
    public LightGbmRowPredictors Rows => _rows;

    /// <summary>Throws when LightGBM wrote another number of scores than the signature says.</summary>
    /// <summary>Gets what the errors of this booster name: <c>Model 'fraud' version '7'</c>.</summary>
    internal string Description => _description;

    internal void CheckLength(long length, long expected)
    {
        if (length != expected)
        {
            throw new LightGbmException($"{_description}: LightGBM returned {length} scores where {expected} were expected.");
        }
    }

    private LightGbmRowPredictor CreateRowPredictor()
    {
        var result = LightGbmApi.LGBM_BoosterPredictForMatSingleRowFastInit(
            _handle, _predictType, _startIteration, _iterations, LightGbmApi.DataTypeFloat64, FeatureCount, _parameters, out var config);
        if (result != 0)
        {
            var reason = LightGbmApi.LastError();
            config.Dispose();
            throw new LightGbmException($"{_description}: {nameof(LightGbmApi.LGBM_BoosterPredictForMatSingleRowFastInit)} failed: {reason}");
        }

        return new LightGbmRowPredictor(this, config);
    }

    private string[] ReadFeatureNames(BoosterHandle handle, int count)
    {
        nuint size = 64;
        while (true)
        {
            var buffer = new byte[count * (int)size];
            var pointers = new byte*[count];
            int written;
            nuint required;
            fixed (byte* start = buffer)
            fixed (byte** names = pointers)
            {
                for (var i = 0; i < count; i++)
                {
                    names[i] = start + (i * (int)size);
                }

                LightGbmApi.Check(LightGbmApi.LGBM_BoosterGetFeatureNames(handle, count, out written, size, out required, names), _description, nameof(LightGbmApi.LGBM_BoosterGetFeatureNames));
                if (required <= size)
                {
                    var result = new string[written];
                    for (var i = 0; i < written; i++)
                    {
                        result[i] = Marshal.PtrToStringUTF8((nint)names[i]) ?? string.Empty;
                    }

                    return result;
                }
            }

            size = required;
        }
    }

    private static string? ReadObjective(BoosterHandle handle)
    {
        // The parameters the model was trained with, as JSON; older files may have none.
        if (LightGbmApi.LGBM_BoosterGetLoadedParam(handle, 0, out var length, null) != 0 || length <= 1)
        {
            return null;
        }

        var json = new byte[length];
        fixed (byte* buffer = json)
        {
            if (LightGbmApi.LGBM_BoosterGetLoadedParam(handle, length, out _, buffer) != 0)
            {
                return null;
            }
        }

        try
        {
            using var document = JsonDocument.Parse(json.AsMemory(0, (int)length - 1));
            return document.RootElement.TryGetProperty("objective", out var objective) && objective.ValueKind == JsonValueKind.String ? objective.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
