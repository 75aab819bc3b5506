using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using TorchSharp;

namespace LyftServing.TorchSharp.Internal;

/// <summary>
/// Loads TorchSharp's native library once per process, and when it cannot load, explains why and
/// what to do instead of TorchSharp's message (which blames a missing libtorch package whatever
/// the cause).
/// </summary>
internal static partial class TorchNative
{
    internal const string LibraryName = "LibTorchSharp";

    private static readonly Lazy<DllNotFoundException?> Failure = new(
        () => Load(() => NativeLibrary.Load(LibraryName, typeof(torch).Assembly, searchPath: null), () => torch.InitializeDeviceType(DeviceType.CPU)),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Makes sure libtorch is loaded; throws the same explained error on every call once it could not load.</summary>
    /// <exception cref="DllNotFoundException">The native library cannot load; the message says why and how to fix it.</exception>
    public static void EnsureLoaded()
    {
        if (Failure.Value is { } failure)
        {
            throw new DllNotFoundException(failure.Message, failure.InnerException);
        }
    }

    /// <summary>Explains why the loader refused the native library, from what it reported.</summary>
    /// <param name="loaderMessage">The message of the loader's <see cref="DllNotFoundException"/>: one line per path it tried.</param>
    /// <returns>The explanation: the cause and the fix.</returns>
    internal static string Explain(string loaderMessage)
    {
        var missingVersion = MissingVersion().Match(loaderMessage);
        if (missingVersion.Success)
        {
            var version = missingVersion.Groups["version"].Value;
            return $"TorchSharp's native library cannot load: this system's C++ runtime (libstdc++) lacks the symbol version {version} that libLibTorchSharp.so " +
                $"(package TorchSharp {TorchSharpVersion}) declares it needs (\"{missingVersion.Value.Trim()}\"). " +
                "Debian 12 ships GCC 12's libstdc++ (up to GLIBCXX_3.4.30); TorchSharp 0.107 is built with GCC 13. " +
                "The only symbol behind GLIBCXX_3.4.32 is std::ios_base_library_init, which the library never calls, so marking that one version requirement weak " +
                "in the build output's copy of libLibTorchSharp.so makes it load: see \"Debian 12\" in the LyftServing.TorchSharp README, whose MSBuild target does it after build and publish. " +
                "Alternatively run on a system with GCC 13's libstdc++ (Debian 13, Ubuntu 24.04). " +
                "(TorchSharp itself reports this as a missing libtorch-cpu package, which it is not.)";
        }

        if (loaderMessage.Contains("libtorch", StringComparison.Ordinal) || !loaderMessage.Contains(": version", StringComparison.Ordinal))
        {
            return $"TorchSharp's native library cannot load: libLibTorchSharp.so or the libtorch it needs is not in the application. " +
                $"Reference the libtorch package of your platform at the version TorchSharp {TorchSharpVersion} needs: libtorch-cpu-linux-x64 (CPU) or " +
                "libtorch-cuda-12.8-linux-x64 (CUDA) on Linux, libtorch-cpu-win-x64 or libtorch-cuda-12.8-win-x64 on Windows, libtorch-cpu-osx-arm64 on macOS; " +
                $"see the LyftServing.TorchSharp README. The loader said: {FirstLines(loaderMessage)}";
        }

        return $"TorchSharp's native library cannot load. The loader said: {FirstLines(loaderMessage)}";
    }

    private static string TorchSharpVersion =>
        typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "?";

    /// <summary>Loads the native library, then initialises TorchSharp; returns the explained error, or <see langword="null"/> when both worked.</summary>
    /// <param name="loadLibrary">Loads libLibTorchSharp with the runtime's probing (the app's deps.json), throwing the loader's error.</param>
    /// <param name="initializeTorch">Initialises TorchSharp's CPU backend.</param>
    internal static DllNotFoundException? Load(Action loadLibrary, Action initializeTorch)
    {
        // Try the library first with the runtime's own probing: its error names the real cause.
        // Only when that fails for another reason is TorchSharp's own loader tried (it also
        // looks in the NuGet cache, copying libtorch next to the app).
        string? loaderMessage = null;
        try
        {
            loadLibrary();
        }
        catch (DllNotFoundException ex)
        {
            loaderMessage = ex.Message;
            if (MissingVersion().IsMatch(ex.Message))
            {
                return new DllNotFoundException(Explain(ex.Message), ex);
            }
        }

        try
        {
            initializeTorch();
            return null;
        }
        catch (Exception ex) when (ex is NotSupportedException or DllNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            return new DllNotFoundException(Explain(loaderMessage ?? ex.Message), ex);
        }
    }

    private static string FirstLines(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" | ", lines.Take(8));
    }

    [GeneratedRegex(@"[^\n]*version `(?<version>[A-Z]+_[0-9.]+)' not found[^\n]*")]
    private static partial Regex MissingVersion();
}
