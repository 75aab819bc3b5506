namespace LyftServing.LightGbm;

/// <summary>
/// LightGBM's native library refused a call: a model file it cannot read, or a prediction it cannot
/// make. The message names the model version, the C API function and LightGBM's own reason
/// (<c>LGBM_GetLastError</c>).
/// </summary>
public sealed class LightGbmException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LightGbmException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public LightGbmException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public LightGbmException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
