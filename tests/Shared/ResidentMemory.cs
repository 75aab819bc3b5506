using System.Diagnostics;
using System.Globalization;

namespace LyftServing.Tests.Shared;

/// <summary>The process's resident memory for memory bounds: linked into the TorchSharp and LightGBM tests and the TorchSharp soak, so all measure alike.</summary>
internal static class ResidentMemory
{
    /// <summary>
    /// Gets the resident memory outside the .NET heap (VmRSS less the GC's committed bytes, after the C
    /// allocator returned its free pages): what a native leak grows, without the GC heap, whose
    /// committed size a server GC grows and releases on its own schedule.
    /// </summary>
    public static long NativeBytes()
    {
        var resident = Bytes();
        if (OperatingSystem.IsLinux())
        {
            _ = MallocTrim(0);
            resident = Bytes();
        }

        return resident - GC.GetGCMemoryInfo().TotalCommittedBytes;
    }

    /// <summary>Gets the process's resident set (VmRSS) in bytes after full blocking collections and finalizers, so only memory still held counts.</summary>
    public static long Bytes()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..^"kB".Length].Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }

        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
