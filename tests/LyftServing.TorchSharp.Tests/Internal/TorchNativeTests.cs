using System.Reflection;
using System.Runtime.InteropServices;
using LyftServing.TorchSharp.Internal;

namespace LyftServing.TorchSharp.Tests.Internal;

/// <summary>
/// The Debian 12 fix (eng/TorchSharpDebian12.targets, applied to this project's output) and the
/// error the runtime gives when TorchSharp's native library cannot load.
/// </summary>
public sealed class TorchNativeTests
{
    [Fact]
    public void Load_LibraryAsPublishedOnASystemWithoutGlibcxx3432_ExplainsTheCauseAndTheFix()
    {
        // The build output's copy (patched) loads: libtorch is up, and the package's copy can find
        // its dependencies (libtorch.so …) by name among the loaded libraries.
        TorchNative.EnsureLoaded();
        var directory = Directory.CreateTempSubdirectory("lyftserving-libtorchsharp-").FullName;
        try
        {
            var published = Path.Combine(directory, "libLibTorchSharp.so");
            File.Copy(Path.Combine(TorchSharpPackage, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"), published);

            if (SystemHasGlibcxx3432())
            {
                Assert.True(NativeLibrary.TryLoad(published, out _), "The package's library should load on a system with GLIBCXX_3.4.32.");
                return;
            }

            var initialized = false;
            var error = TorchNative.Load(() => NativeLibrary.Load(published), () => initialized = true);

            Assert.NotNull(error);
            Assert.False(initialized, "TorchSharp's own loader (which blames a missing libtorch package) ran.");
            Assert.Contains("version `GLIBCXX_3.4.32' not found", error.InnerException!.Message, StringComparison.Ordinal);
            var explanation = error.Message;

            Assert.StartsWith("TorchSharp's native library cannot load: this system's C++ runtime (libstdc++) lacks the symbol version GLIBCXX_3.4.32 that libLibTorchSharp.so (package TorchSharp 0.107.0) declares it needs", explanation, StringComparison.Ordinal);
            Assert.Contains("Debian 12 ships GCC 12's libstdc++", explanation, StringComparison.Ordinal);
            Assert.Contains("marking that one version requirement weak in the build output's copy of libLibTorchSharp.so makes it load: see \"Debian 12\" in the LyftServing.TorchSharp README", explanation, StringComparison.Ordinal);
            Assert.Contains("(TorchSharp itself reports this as a missing libtorch-cpu package, which it is not.)", explanation, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Explain_LibtorchMissing_SaysWhichPackageToReference()
    {
        var explanation = TorchNative.Explain(
            "Unable to load shared library 'LibTorchSharp' or one of its dependencies.\n/app/runtimes/linux-x64/native/libLibTorchSharp.so: libtorch.so: cannot open shared object file: No such file or directory\n");

        Assert.StartsWith("TorchSharp's native library cannot load: libLibTorchSharp.so or the libtorch it needs is not in the application. Reference the libtorch package of your platform at the version TorchSharp 0.107.0 needs: libtorch-cpu-linux-x64 (CPU) or libtorch-cuda-12.8-linux-x64 (CUDA) on Linux", explanation, StringComparison.Ordinal);
        Assert.EndsWith("The loader said: Unable to load shared library 'LibTorchSharp' or one of its dependencies. | /app/runtimes/linux-x64/native/libLibTorchSharp.so: libtorch.so: cannot open shared object file: No such file or directory", explanation, StringComparison.Ordinal);
    }

    private static string TorchSharpPackage =>
        typeof(TorchNativeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TorchSharpPackage").Value!;

    /// <summary>Whether the libstdc++ this process runs with defines GLIBCXX_3.4.32 (GCC 13 or newer).</summary>
    private static bool SystemHasGlibcxx3432()
    {
        var path = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault())
            .First(p => p is not null && p.Contains("libstdc++.so", StringComparison.Ordinal))!;
        return File.ReadAllBytes(path).AsSpan().IndexOf("GLIBCXX_3.4.32\0"u8) >= 0;
    }
}
