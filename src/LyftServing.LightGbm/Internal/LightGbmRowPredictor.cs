using System.Runtime.InteropServices;

namespace LyftServing.LightGbm.Internal;

/// <summary>
/// A fast single-row configuration of a booster (<c>LGBM_BoosterPredictForMatSingleRowFastInit</c>)
/// with native buffers for one row of features and its scores: what one call at a time uses, from
/// the booster's per-thread predictors (<see cref="LightGbmRowPredictors"/>), so the typed path allocates nothing.
/// </summary>
internal sealed unsafe class LightGbmRowPredictor : IDisposable
{
    private readonly LightGbmBooster _booster;
    private readonly FastConfigHandle _config;
    private readonly nint _handle;
    private readonly double* _row;
    private readonly double* _scores;
    private bool _inUse;

    public LightGbmRowPredictor(LightGbmBooster booster, FastConfigHandle config)
    {
        _booster = booster;
        _config = config;
        _handle = config.DangerousGetHandle();
        _row = (double*)NativeMemory.Alloc((nuint)booster.FeatureCount, sizeof(double));
        _scores = (double*)NativeMemory.Alloc((nuint)booster.OutputCount, sizeof(double));
    }

    /// <summary>Gets or sets whether a call is using this predictor (written by its thread, read by <see cref="LightGbmRowPredictors.Dispose"/>).</summary>
    public bool InUse
    {
        get => Volatile.Read(ref _inUse);
        set => Volatile.Write(ref _inUse, value);
    }

    /// <summary>Gets or sets the thread this predictor belongs to; <see langword="null"/> for a nested call's own predictor.</summary>
    public Thread? Owner { get; set; }

    /// <summary>Gets the row buffer: <see cref="LightGbmBooster.FeatureCount"/> values, as the last call left them.</summary>
    public Span<double> Row => new(_row, _booster.FeatureCount);

    /// <summary>Gets the scores of the last <see cref="Predict()"/>.</summary>
    public ReadOnlySpan<double> Scores => new(_scores, _booster.OutputCount);

    /// <summary>Scores <see cref="Row"/> into <see cref="Scores"/>.</summary>
    public void Predict() => Predict(_row, _scores);

    /// <summary>Scores a row into a score buffer (pinned by the caller).</summary>
    public void Predict(double* row, double* scores)
    {
        // The handle is alive: the caller has entered this predictor, and the booster is freed only
        // after its predictors (LightGbmRowPredictors.Dispose waits for the calls in them).
        long length;
        var result = LightGbmApi.LGBM_BoosterPredictForMatSingleRowFast(_handle, row, &length, scores);
        if (result != 0)
        {
            LightGbmApi.Check(result, _booster.Description, nameof(LightGbmApi.LGBM_BoosterPredictForMatSingleRowFast));
        }

        if (length != _booster.OutputCount)
        {
            _booster.CheckLength(length, _booster.OutputCount);
        }
    }

    public void Dispose()
    {
        _config.Dispose();
        NativeMemory.Free(_row);
        NativeMemory.Free(_scores);
    }
}
