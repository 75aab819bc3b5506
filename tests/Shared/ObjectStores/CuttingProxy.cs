using System.Net;
using System.Net.Sockets;

namespace LyftServing.Tests.ObjectStores;

/// <summary>
/// A loopback TCP proxy in front of an emulator that can cut connections half-way: the next
/// <c>count</c> connections that carry more than <c>afterBytes</c> from the store are closed
/// abruptly once that many bytes went through (a download cut by the network).
/// </summary>
internal sealed class CuttingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _cutAfter = long.MaxValue;
    private int _cutsLeft;
    private int _cuts;

    public CuttingProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Gets how many connections were cut.</summary>
    public int Cuts => Volatile.Read(ref _cuts);

    public void CutNext(int count, long afterBytes)
    {
        Volatile.Write(ref _cutAfter, afterBytes);
        Volatile.Write(ref _cutsLeft, count);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token);
                var toStore = client.GetStream().CopyToAsync(upstream.GetStream(), _stop.Token);
                var fromStore = CopyCuttingAsync(upstream.GetStream(), client);
                await Task.WhenAny(toStore, fromStore);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
            }
        }
    }

    private async Task CopyCuttingAsync(NetworkStream from, TcpClient to)
    {
        var buffer = new byte[16384];
        long sent = 0;
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            var cutAfter = Volatile.Read(ref _cutAfter);
            if (sent + read > cutAfter && Volatile.Read(ref _cutsLeft) > 0 && Interlocked.Decrement(ref _cutsLeft) >= 0)
            {
                await to.GetStream().WriteAsync(buffer.AsMemory(0, (int)Math.Max(0, cutAfter - sent)), _stop.Token);
                Interlocked.Increment(ref _cuts);
                to.Client.LingerState = new LingerOption(true, 0);
                to.Close();
                return;
            }

            await to.GetStream().WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            sent += read;
        }
    }
}
