namespace LyftServing.Internal;

/// <summary>
/// One mark per thread that says which version the thread's running call uses: how a call counts
/// itself in and out of a version without an interlocked operation (see <see cref="LoadedVersion{TFeatures, TOutput}.TryEnter"/>).
/// </summary>
/// <remarks>
/// A thread's mark is written only by that thread; retiring a version scans every mark. The mark of
/// a thread that has ended is handed to the next new thread, so there are as many marks as threads
/// alive at once that have called a model.
/// </remarks>
internal static class CallMarks
{
    private static readonly Lock Gate = new();
    private static CallMark[] _all = [];

    /// <summary>Gets how many marks exist (for tests: one per thread alive at once that has called a model).</summary>
    internal static int Registered => Volatile.Read(ref _all).Length;

    [ThreadStatic]
    private static CallMark? _current;

    /// <summary>Gets the calling thread's mark.</summary>
    public static CallMark Current => _current ?? Register();

    /// <summary>Counts the marks that hold <paramref name="version"/>: the calls running on it this way.</summary>
    public static int Count(object version)
    {
        var count = 0;
        foreach (var mark in Volatile.Read(ref _all))
        {
            if (ReferenceEquals(mark.Version, version))
            {
                count++;
            }
        }

        return count;
    }

    private static CallMark Register()
    {
        var thread = Thread.CurrentThread;
        lock (Gate)
        {
            foreach (var free in _all)
            {
                // An ended thread's mark holds nothing: its last call exited before it ended.
                if (!free.Owner.IsAlive)
                {
                    free.Owner = thread;
                    return _current = free;
                }
            }

            var mark = new CallMark(thread);
            Volatile.Write(ref _all, [.. _all, mark]);
            return _current = mark;
        }
    }
}

/// <summary>A thread's mark: the version its running call uses, or <see langword="null"/>.</summary>
internal sealed class CallMark(Thread owner)
{
    private object? _version;

    // Keeps two threads' marks off one cache line, so writing one does not slow the other thread.
#pragma warning disable IDE0051, CS0169 // never read: it only takes space
    private readonly Padding _padding;
#pragma warning restore IDE0051, CS0169

    public Thread Owner { get; set; } = owner;

    public object? Version
    {
        get => Volatile.Read(ref _version);
        set => Volatile.Write(ref _version, value);
    }
}

/// <summary>A cache line's worth of bytes (two lines on processors that fetch them in pairs).</summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 120)]
internal struct Padding
{
}
