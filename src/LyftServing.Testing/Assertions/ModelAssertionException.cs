namespace LyftServing.Testing;

/// <summary>A <see cref="ModelAssert"/> check failed; the message says what was expected and shows the model's status.</summary>
public sealed class ModelAssertionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    public ModelAssertionException(string message)
        : base(message)
    {
    }
}
