namespace LyftServing.OnnxRuntime.Internal;

/// <summary>
/// A small lock-free pool of binding sets, so that concurrent callers each get their own buffers
/// and the steady state creates none. Callers beyond the pool's size get a fresh set, which is
/// released when it comes back to a full pool.
/// </summary>
/// <remarks>
/// Like Microsoft.Extensions.ObjectPool's default pool: one fast slot, then an array scanned from a
/// per-thread starting point to spread concurrent callers over different slots.
/// </remarks>
internal sealed class BindingPool : IDisposable
{
    private readonly BindingSet?[] _items;
    private BindingSet? _fast;

    public BindingPool(int size)
    {
        _items = new BindingSet?[Math.Max(size - 1, 1)];
    }

    public BindingSet? Rent()
    {
        var item = _fast;
        if (item is not null && Interlocked.CompareExchange(ref _fast, null, item) == item)
        {
            return item;
        }

        var items = _items;
        var start = (uint)Environment.CurrentManagedThreadId % (uint)items.Length;
        for (var n = 0; n < items.Length; n++)
        {
            var i = (int)((start + (uint)n) % (uint)items.Length);
            item = items[i];
            if (item is not null && Interlocked.CompareExchange(ref items[i], null, item) == item)
            {
                return item;
            }
        }

        return null;
    }

    public void Return(BindingSet item)
    {
        if (_fast is null && Interlocked.CompareExchange(ref _fast, item, null) is null)
        {
            return;
        }

        var items = _items;
        var start = (uint)Environment.CurrentManagedThreadId % (uint)items.Length;
        for (var n = 0; n < items.Length; n++)
        {
            var i = (int)((start + (uint)n) % (uint)items.Length);
            if (items[i] is null && Interlocked.CompareExchange(ref items[i], item, null) is null)
            {
                return;
            }
        }

        item.Dispose();
    }

    /// <summary>Releases the pooled sets; called by the session once no call is running.</summary>
    public void Dispose()
    {
        Interlocked.Exchange(ref _fast, null)?.Dispose();
        for (var i = 0; i < _items.Length; i++)
        {
            Interlocked.Exchange(ref _items[i], null)?.Dispose();
        }
    }
}
