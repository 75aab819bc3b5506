namespace LyftServing;

/// <summary>A model store could not list or read a model's versions.</summary>
public sealed class ModelStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelStoreException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed, naming the store, model and version.</param>
    public ModelStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What failed, naming the store, model and version.</param>
    /// <param name="innerException">The cause.</param>
    public ModelStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
