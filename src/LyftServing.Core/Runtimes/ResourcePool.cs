namespace LyftServing;

/// <summary>
/// A small lock-free pool of per-call native resources (bindings, buffers, framework handles that
/// one call at a time may use), so that concurrent callers each get their own and the steady
/// state creates none: the typed hot path of a runtime rents one per call and returns it.
/// </summary>
/// <typeparam name="T">The pooled resource.</typeparam>
/// <remarks>
/// Like Microsoft.Extensions.ObjectPool's default pool, without its allocations: one fast slot,
/// then an array scanned from a per-thread starting point to spread concurrent callers over
/// different slots. A resource returned to a full pool is disposed; so are those in the pool when
/// it is disposed (register the pool with <see cref="NativeLifetime.Own"/> so that happens after
/// the last call). Thread-safe.
/// </remarks>
public sealed class ResourcePool<T> : IDisposable
    where T : class, IDisposable
{
    private readonly T?[] _items;
    private T? _fast;

    /// <summary>Creates an empty pool.</summary>
    /// <param name="size">How many resources it keeps at most.</param>
    public ResourcePool(int size)
    {
        _items = new T?[Math.Max(size - 1, 1)];
    }

    /// <summary>Takes a resource from the pool.</summary>
    /// <returns>A resource, or <see langword="null"/> when the pool is empty (create one).</returns>
    public T? Rent()
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

    /// <summary>Puts a resource back, or disposes it when the pool is full.</summary>
    /// <param name="item">The resource.</param>
    public void Return(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
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

    /// <summary>Disposes the pooled resources; call it once no call uses the pool.</summary>
    public void Dispose()
    {
        Interlocked.Exchange(ref _fast, null)?.Dispose();
        for (var i = 0; i < _items.Length; i++)
        {
            Interlocked.Exchange(ref _items[i], null)?.Dispose();
        }
    }
}
