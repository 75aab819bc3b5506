namespace LyftServing;

/// <summary>
/// Decides whether a shadow's output agrees with the primary's. Register one per model with
/// <c>ModelBuilder.CompareShadowsWith</c>; without one, numbers are compared within
/// <see cref="ShadowOptions.Tolerance"/> and everything else by deep equality of its JSON form.
/// </summary>
/// <typeparam name="TOutput">The model's output type.</typeparam>
/// <remarks>Called from the shadow queue's background task, one comparison at a time.</remarks>
public interface IShadowComparer<in TOutput>
{
    /// <summary>Returns whether the outputs agree.</summary>
    /// <param name="primary">The primary's output, which the caller received.</param>
    /// <param name="shadow">The shadow's output.</param>
    /// <returns><see langword="true"/> when they agree.</returns>
    bool AreEquivalent(TOutput primary, TOutput shadow);
}
