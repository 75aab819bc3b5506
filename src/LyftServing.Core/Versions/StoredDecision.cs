namespace LyftServing;

/// <summary>A model's operator decision record as a store holds it (see <see cref="IModelStore.ReadDecisionAsync"/>).</summary>
/// <param name="content">The record's bytes, written by the host.</param>
/// <param name="stamp">An opaque stamp identifying this revision of the record (like an HTTP ETag), passed back to <see cref="IModelStore.TryWriteDecisionAsync"/>.</param>
public sealed class StoredDecision(ReadOnlyMemory<byte> content, string stamp)
{
    /// <summary>Gets the record's bytes, written by the host.</summary>
    public ReadOnlyMemory<byte> Content { get; } = content;

    /// <summary>Gets the stamp identifying this revision of the record.</summary>
    public string Stamp { get; } = stamp;
}
