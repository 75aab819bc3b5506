using System.Runtime.InteropServices;

namespace LyftServing.LightGbm.Internal;

/// <summary>
/// The part of lib_lightgbm's C API (<c>c_api.h</c>, LightGBM 4.x) that scoring needs, bound with
/// source-generated marshalling. Every function returns 0, or -1 with the reason in
/// <see cref="LGBM_GetLastError"/> (thread-local: read it on the failing thread, right after).
/// </summary>
internal static unsafe partial class LightGbmApi
{
    public const int DataTypeFloat64 = 1;
    public const int RowMajor = 1;

    private const string Library = "lib_lightgbm";

    /// <summary>Throws the native error of a failed call, naming the model version and the function.</summary>
    /// <param name="result">The call's return value.</param>
    /// <param name="description">The model version, such as <c>Model 'fraud' version '7'</c>.</param>
    /// <param name="function">The C API function.</param>
    /// <exception cref="LightGbmException">The call failed.</exception>
    public static void Check(int result, string description, string function)
    {
        if (result != 0)
        {
            throw new LightGbmException($"{description}: {function} failed: {LastError()}");
        }
    }

    /// <summary>Gets the last error of this thread's last failed call.</summary>
    public static string LastError() => Marshal.PtrToStringUTF8(LGBM_GetLastError())?.Trim() is { Length: > 0 } message ? message : "LightGBM gave no reason";

    [LibraryImport(Library)]
    public static partial nint LGBM_GetLastError();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LGBM_BoosterLoadModelFromString(string model, out int iterations, out BoosterHandle booster);

    [LibraryImport(Library)]
    public static partial int LGBM_BoosterFree(nint booster);

    [LibraryImport(Library)]
    public static partial int LGBM_BoosterGetNumFeature(BoosterHandle booster, out int count);

    [LibraryImport(Library)]
    public static partial int LGBM_BoosterGetNumClasses(BoosterHandle booster, out int count);

    [LibraryImport(Library)]
    public static partial int LGBM_BoosterGetFeatureNames(BoosterHandle booster, int length, out int count, nuint bufferLength, out nuint requiredBufferLength, byte** names);

    [LibraryImport(Library)]
    public static partial int LGBM_BoosterGetLoadedParam(BoosterHandle booster, long bufferLength, out long length, byte* json);

    [LibraryImport(Library)]
    public static partial int LGBM_BoosterCalcNumPredict(BoosterHandle booster, int rows, int predictType, int startIteration, int iterations, out long length);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LGBM_BoosterPredictForMat(
        BoosterHandle booster,
        double* data,
        int dataType,
        int rows,
        int columns,
        int isRowMajor,
        int predictType,
        int startIteration,
        int iterations,
        string parameters,
        out long length,
        double* result);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LGBM_BoosterPredictForMatSingleRowFastInit(
        BoosterHandle booster,
        int predictType,
        int startIteration,
        int iterations,
        int dataType,
        int columns,
        string parameters,
        out FastConfigHandle fastConfig);

    /// <summary>Scores one row with a fast configuration: the hot path, so raw pointers and no handle marshalling.</summary>
    [LibraryImport(Library)]
    public static partial int LGBM_BoosterPredictForMatSingleRowFast(nint fastConfig, double* data, long* length, double* result);

    [LibraryImport(Library)]
    public static partial int LGBM_FastConfigFree(nint fastConfig);
}

/// <summary>A LightGBM booster (<c>BoosterHandle</c>): freed with <c>LGBM_BoosterFree</c>.</summary>
internal sealed class BoosterHandle() : SafeHandle(0, ownsHandle: true)
{
    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle() => LightGbmApi.LGBM_BoosterFree(handle) == 0;
}

/// <summary>A single-row prediction configuration (<c>FastConfigHandle</c>): freed with <c>LGBM_FastConfigFree</c>.</summary>
internal sealed class FastConfigHandle() : SafeHandle(0, ownsHandle: true)
{
    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle() => LightGbmApi.LGBM_FastConfigFree(handle) == 0;
}
