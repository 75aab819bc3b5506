using System.ComponentModel.DataAnnotations;

namespace LyftServing;

/// <summary>Options of <see cref="JsonLinesPredictionSink"/>.</summary>
public sealed class JsonLinesPredictionSinkOptions
{
    /// <summary>Gets or sets the directory of the files; relative paths are resolved against the current directory. Default: <c>predictions</c>.</summary>
    [Required]
    public string Directory { get; set; } = "predictions";

    /// <summary>Gets or sets the file name prefix. Default: <c>predictions</c>.</summary>
    [Required]
    public string FilePrefix { get; set; } = "predictions";

    /// <summary>Gets or sets the size at which a file is closed and a new one started. Default: 100 MiB.</summary>
    [Range(1024L, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Gets or sets how many files are kept; the oldest are deleted. Default: 10.</summary>
    [Range(1, 100_000)]
    public int MaxFiles { get; set; } = 10;
}
