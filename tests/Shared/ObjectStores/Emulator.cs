using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LyftServing.Tests.Shared;

namespace LyftServing.Tests.ObjectStores;

/// <summary>
/// An object-store emulator (s3rver or azurite, installed by <c>eng/emulators.sh</c>) run as a
/// child process on a loopback port of its own, with its data in a temporary folder. It can be
/// stopped and started again on the same port with the same data (the store going away and coming
/// back). A missing emulator fails the test, naming the install command; it never skips.
/// </summary>
internal sealed class Emulator : IAsyncDisposable
{
    private readonly string _tool;
    private readonly Func<int, string, string[]> _arguments;
    private Process? _process;

    private Emulator(string tool, Func<int, string, string[]> arguments)
    {
        _tool = tool;
        _arguments = arguments;
        Port = FreePort();
        DataDirectory = Directory.CreateTempSubdirectory("lyftserving-emulator-").FullName;
    }

    public int Port { get; }

    public string DataDirectory { get; }

    /// <summary>s3rver with the bucket <paramref name="bucket"/>; credentials S3RVER / S3RVER.</summary>
    public static Emulator S3(string bucket) =>
        new("s3rver", (port, data) => ["-d", data, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent", "--configure-bucket", bucket]);

    /// <summary>azurite's blob service, with its well-known development account.</summary>
    public static Emulator AzureBlob() =>
        new("azurite-blob", (port, data) => ["--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--location", data, "--silent", "--skipApiVersionCheck", "--loose"]);

    public static string ToolPath(string tool)
    {
        var path = Path.Combine(RepositoryRoot.FullPath, "eng", "emulators", "node_modules", ".bin", tool);
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"The emulator '{tool}' is not installed ({path} is missing): run eng/emulators.sh (needs node and npm), as .ci/run does.");
    }

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(ToolPath(_tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in _arguments(Port, DataDirectory))
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                break;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(60) && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }

        if (_process.HasExited)
        {
            throw new InvalidOperationException($"The emulator '{_tool}' exited with {_process.ExitCode} on start.");
        }

        if (_tool == "s3rver")
        {
            // s3rver answers TCP before it has created the configured bucket.
            await Task.Delay(300);
        }
    }

    /// <summary>Stops the emulator (its data stays), as a store that went away.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
