using System.Diagnostics;
using System.Globalization;

namespace LyftServing.Tests.Shared;

/// <summary>The process's resident memory for memory bounds: linked into the TorchSharp tests and the soak of its benchmarks, so both measure alike.</summary>
internal static class ResidentMemory
{
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
}
