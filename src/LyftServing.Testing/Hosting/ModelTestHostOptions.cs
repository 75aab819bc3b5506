namespace LyftServing.Testing;

/// <summary>Options of a <see cref="ModelTestHost"/>.</summary>
public sealed class ModelTestHostOptions
{
    /// <summary>
    /// Gets or sets the content root: where <c>appsettings.json</c> is read and relative store
    /// directories are resolved. Default: the test's output directory (<see cref="AppContext.BaseDirectory"/>).
    /// </summary>
    public string? ContentRoot { get; set; }

    /// <summary>Gets or sets the host environment's name. Default: <c>Testing</c>.</summary>
    public string EnvironmentName { get; set; } = "Testing";

    /// <summary>
    /// Gets configuration values added after the service's own (<c>appsettings.json</c>,
    /// environment), so they win: for example <c>["ModelServing:StoreRoot"] = "other-store"</c>.
    /// </summary>
    public IDictionary<string, string?> Configuration { get; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the fake clock's start. Default: 2026-01-01T00:00:00Z.</summary>
    public DateTimeOffset StartTime { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
}
