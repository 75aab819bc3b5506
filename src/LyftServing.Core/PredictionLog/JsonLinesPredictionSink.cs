using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace LyftServing;

/// <summary>
/// Writes prediction records as JSON lines (one object per line) to files that rotate by size:
/// <c>{Directory}/{FilePrefix}-{yyyyMMddTHHmmssfff}-{n}.jsonl</c>, keeping the newest <c>MaxFiles</c>.
/// </summary>
/// <remarks>
/// Each line holds <c>timestamp</c>, <c>model</c>, <c>version</c>, <c>role</c>, <c>latency_ms</c>,
/// <c>trace_id</c>, <c>features</c> and <c>output</c>; features and outputs are written with the
/// model JSON options (<see cref="ModelJsonOptions"/>). Not thread-safe by itself: the prediction
/// log calls it from one background task.
/// </remarks>
public sealed class JsonLinesPredictionSink : IPredictionSink, IAsyncDisposable
{
    private readonly JsonLinesPredictionSinkOptions _options;
    private readonly JsonSerializerOptions _json;
    private readonly TimeProvider _timeProvider;
    private readonly string _directory;
    private FileStream? _file;
    private Utf8JsonWriter? _writer;
    private int _sequence;

    /// <summary>Creates the sink.</summary>
    /// <param name="options">Where and how big the files are.</param>
    /// <param name="jsonOptions">How features and outputs are written.</param>
    /// <param name="timeProvider">The clock for file names.</param>
    public JsonLinesPredictionSink(IOptions<JsonLinesPredictionSinkOptions> options, IOptions<ModelJsonOptions> jsonOptions, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(jsonOptions);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options.Value;
        _json = jsonOptions.Value.SerializerOptions;
        _timeProvider = timeProvider;
        _directory = Path.GetFullPath(_options.Directory);
    }

    /// <summary>Gets the path of the file being written, if any.</summary>
    public string? CurrentFile => _file?.Name;

    /// <inheritdoc />
    public async ValueTask WriteAsync(IReadOnlyList<PredictionRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
        {
            if (_file is null || _file.Position >= _options.MaxFileBytes)
            {
                await RotateAsync(cancellationToken).ConfigureAwait(false);
            }

            Write(_writer!, record);
            await _writer!.FlushAsync(cancellationToken).ConfigureAwait(false);
            _file!.WriteByte((byte)'\n');
            _writer.Reset();
        }
    }

    /// <inheritdoc />
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_file is not null)
        {
            await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Flushes and closes the current file.</summary>
    /// <returns>A task that completes when closed.</returns>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
    }

    private void Write(Utf8JsonWriter writer, PredictionRecord record)
    {
        writer.WriteStartObject();
        writer.WriteString("timestamp", record.Timestamp);
        writer.WriteString("model", record.ModelName);
        writer.WriteString("version", record.ModelVersion);
        writer.WriteString("role", record.Role);
        writer.WriteNumber("latency_ms", record.Latency.TotalMilliseconds);
        writer.WriteString("trace_id", record.TraceId);
        writer.WritePropertyName("features");
        JsonSerializer.Serialize(writer, record.Features, record.Features?.GetType() ?? typeof(object), _json);
        writer.WritePropertyName("output");
        JsonSerializer.Serialize(writer, record.Output, record.Output?.GetType() ?? typeof(object), _json);
        writer.WriteEndObject();
    }

    private async ValueTask RotateAsync(CancellationToken cancellationToken)
    {
        await CloseAsync().ConfigureAwait(false);
        Directory.CreateDirectory(_directory);
        var stamp = _timeProvider.GetUtcNow().ToString("yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture);
        var path = Path.Combine(_directory, $"{_options.FilePrefix}-{stamp}-{++_sequence:D6}.jsonl");
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024, useAsync: true);
        _writer = new Utf8JsonWriter(_file);

        // Keep the newest MaxFiles files, this one included.
        var old = new DirectoryInfo(_directory)
            .EnumerateFiles($"{_options.FilePrefix}-*.jsonl")
            .OrderByDescending(f => f.Name, StringComparer.Ordinal)
            .Skip(_options.MaxFiles);
        foreach (var file in old)
        {
            cancellationToken.ThrowIfCancellationRequested();
            file.Delete();
        }
    }

    private async ValueTask CloseAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
            _writer = null;
        }

        if (_file is not null)
        {
            await _file.DisposeAsync().ConfigureAwait(false);
            _file = null;
        }
    }
}
