using Microsoft.Extensions.Primitives;

namespace LyftServing.Internal;

/// <summary>
/// The status records of one model: one per load of a version, plus the model's last error and its
/// operator decision; a change token that fires on every change. Thread-safe.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "Each token source is disposed when it is replaced; the last one is left to the GC, since a late change may still fire it.")]
internal sealed class StatusBook
{
    private const int MaxFailedRecords = 10;

    private readonly Lock _lock = new();
    private readonly List<VersionRecord> _records = [];
    private CancellationTokenSource _changed = new();
    private ModelError? _lastError;

    public VersionRecord Begin(string version)
    {
        var record = new VersionRecord(version);
        lock (_lock)
        {
            _records.Add(record);
        }

        NotifyChanged();
        return record;
    }

    public void Update(VersionRecord record, Action<VersionRecord> change)
    {
        lock (_lock)
        {
            change(record);
        }

        NotifyChanged();
    }

    /// <summary>Marks a load failed; the newest failure of a version replaces older ones, and only the last few failures are kept.</summary>
    public void Fail(VersionRecord record, ModelError error)
    {
        lock (_lock)
        {
            record.State = ModelVersionState.Failed;
            record.Role = ModelVersionRole.None;
            record.Error = error;
            _lastError = error;
            _records.RemoveAll(r => r != record && r.Version == record.Version && r.State == ModelVersionState.Failed);
            var failed = _records.Where(r => r.State == ModelVersionState.Failed).OrderByDescending(r => r.Error?.Time).Skip(MaxFailedRecords).ToList();
            _records.RemoveAll(failed.Contains);
        }

        NotifyChanged();
    }

    public void Remove(VersionRecord record)
    {
        lock (_lock)
        {
            _records.Remove(record);
        }

        NotifyChanged();
    }

    public void SetError(ModelError error)
    {
        lock (_lock)
        {
            _lastError = error;
        }

        NotifyChanged();
    }

    public IReadOnlyList<ModelVersionStatus> GetVersions()
    {
        lock (_lock)
        {
            return [.. _records
                .OrderByDescending(r => r.Version, VersionComparer.Instance)
                .ThenBy(r => r.State)
                .Select(r => r.ToStatus())];
        }
    }

    public ModelError? LastError
    {
        get
        {
            lock (_lock)
            {
                return _lastError;
            }
        }
    }

    public IChangeToken GetChangeToken()
    {
        lock (_lock)
        {
            return new CancellationChangeToken(_changed.Token);
        }
    }

    public void Count(Span<int> byState)
    {
        lock (_lock)
        {
            foreach (var record in _records)
            {
                byState[(int)record.State]++;
            }
        }
    }

    public void NotifyChanged()
    {
        CancellationTokenSource previous;
        lock (_lock)
        {
            previous = _changed;
            _changed = new CancellationTokenSource();
        }

        previous.Cancel();
        previous.Dispose();
    }
}
