namespace LyftServing.Testing;

/// <summary>Which models <see cref="ModelSelfTests.RunAsync"/> runs, and from where.</summary>
public sealed class ModelSelfTestOptions
{
    /// <summary>
    /// Gets or sets a model store directory to test instead of the configured one: every model in
    /// it whose <c>model.json</c> names a registered runtime, and the registered models, are
    /// served from it. Relative to <see cref="ContentRoot"/>. Default: the service's own stores.
    /// </summary>
    public string? Store { get; set; }

    /// <summary>Gets or sets the content root (see <see cref="ModelTestHostOptions.ContentRoot"/>).</summary>
    public string? ContentRoot { get; set; }

    /// <summary>
    /// Gets or sets whether a version without self-test cases passes. Default: <see langword="false"/>:
    /// it yields a failing case, so no model goes untested by accident.
    /// </summary>
    public bool AllowModelsWithoutSelfTests { get; set; }
}
