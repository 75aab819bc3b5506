namespace LyftServing;

/// <summary>
/// Keeps a model version's native resources (a framework session, handles, pinned buffers) alive
/// while calls use them: a call enters before it touches them and exits after; disposing waits
/// for the last running call to exit before it releases them. The host already disposes model code
/// only after its calls have drained; this guard also covers model code called directly (tests,
/// tools) and a call still running when its model code is disposed.
/// </summary>
/// <remarks>
/// <para>Thread-safe and allocation-free on the call path: <c>using var call = lifetime.Enter();</c>.</para>
/// <para>
/// Resources registered with <see cref="Own"/> are released in the reverse order of
/// registration, by whoever leaves last: <see cref="Dispose"/> when no call runs, otherwise the
/// last call's exit. Register the framework's session first and what refers to it (bindings,
/// buffers bound to it) after.
/// </para>
/// </remarks>
public sealed class NativeLifetime : IDisposable
{
    private const int DisposedFlag = int.MinValue;
    private readonly string _description;
    private readonly List<IDisposable> _owned = [];
    private int _state;
    private int _released;

    /// <summary>Creates a lifetime.</summary>
    /// <param name="description">What it keeps alive, for the error of a call after disposal, such as <c>Model 'fraud' version '7'</c>.</param>
    public NativeLifetime(string description)
    {
        ArgumentException.ThrowIfNullOrEmpty(description);
        _description = description;
    }

    /// <summary>Gets whether <see cref="Dispose"/> has been called (the resources may still be in use by running calls).</summary>
    public bool IsDisposed => Volatile.Read(ref _state) < 0;

    /// <summary>Registers a resource to release once the lifetime is disposed and no call runs.</summary>
    /// <param name="resource">The resource.</param>
    /// <exception cref="ObjectDisposedException">The lifetime is already disposed.</exception>
    public void Own(IDisposable resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        lock (_owned)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _released) != 0, this);
            _owned.Add(resource);
        }
    }

    /// <summary>Counts a call in; <see langword="false"/> once the lifetime is disposed (the call must not touch the resources).</summary>
    /// <returns>Whether the call may run; if so, it must call <see cref="Exit"/> once.</returns>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _state) < 0)
        {
            Exit();
            return false;
        }

        return true;
    }

    /// <summary>Counts a call out; the last call out of a disposed lifetime releases the resources.</summary>
    public void Exit()
    {
        if (Interlocked.Decrement(ref _state) == DisposedFlag)
        {
            Release();
        }
    }

    /// <summary>Counts a call in for the scope of a <c>using</c> statement.</summary>
    /// <returns>The scope; dispose it (once) when the call is done with the resources.</returns>
    /// <exception cref="ObjectDisposedException">The lifetime is disposed: the version has been unloaded.</exception>
    public Scope Enter() =>
        TryEnter() ? new Scope(this) : throw new ObjectDisposedException(nameof(NativeLifetime), $"{_description} has been unloaded.");

    /// <summary>Releases the resources now if no call runs, otherwise when the last one exits. Calls that try to enter from now on fail.</summary>
    public void Dispose()
    {
        var before = Interlocked.Or(ref _state, DisposedFlag);
        if (before >= 0 && (before & int.MaxValue) == 0)
        {
            Release();
        }
    }

    private void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        lock (_owned)
        {
            for (var i = _owned.Count - 1; i >= 0; i--)
            {
                _owned[i].Dispose();
            }

            _owned.Clear();
        }
    }

    /// <summary>A call inside a <see cref="NativeLifetime"/>: disposing it exits.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly NativeLifetime? _lifetime;

        internal Scope(NativeLifetime lifetime)
        {
            _lifetime = lifetime;
        }

        /// <summary>Exits the lifetime.</summary>
        public void Dispose() => _lifetime?.Exit();
    }
}
