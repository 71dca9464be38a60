using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Bifrost.Servers.Tests.Images;

/// <summary>
/// Fault injection only (the happy path is tested against python3's http.server): a minimal HTTP/1.1 server on
/// loopback that answers the first requests with the given faults, then serves <see cref="Body"/>. One request per
/// connection (it says Connection: close).
/// </summary>
internal sealed class FaultyHttpServer : IAsyncDisposable
{
    public enum Fault { Reset, ServiceUnavailable, ShortBody, NotFound }

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Queue<Fault> _faults;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    public FaultyHttpServer(byte[] body, params Fault[] faults)
    {
        Body = body;
        _faults = new Queue<Fault>(faults);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public byte[] Body { get; }
    public int Requests => Volatile.Read(ref _requests);
    public Uri Url(string path) => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/{path}");

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                var buffer = new byte[8192];
                var seen = 0;
                while (!Encoding.ASCII.GetString(buffer, 0, seen).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var n = await socket.ReceiveAsync(buffer.AsMemory(seen), _stop.Token);
                    if (n == 0) return;
                    seen += n;
                }
                Interlocked.Increment(ref _requests);
                Fault? fault;
                lock (_faults) fault = _faults.Count > 0 ? _faults.Dequeue() : null;
                switch (fault)
                {
                    case Fault.Reset:
                        socket.LingerState = new LingerOption(true, 0); // close → RST: "connection reset by peer"
                        return;
                    case Fault.ServiceUnavailable:
                        await SendAsync(socket, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ReadOnlyMemory<byte>.Empty);
                        return;
                    case Fault.NotFound:
                        await SendAsync(socket, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ReadOnlyMemory<byte>.Empty);
                        return;
                    case Fault.ShortBody:
                        await SendAsync(socket, Headers(), Body.AsMemory(0, Body.Length / 2));
                        return;
                    default:
                        await SendAsync(socket, Headers(), Body);
                        return;
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
            {
            }
        }
    }

    private string Headers() =>
        $"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {Body.Length}\r\nConnection: close\r\n\r\n";

    private async Task SendAsync(Socket socket, string headers, ReadOnlyMemory<byte> body)
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes(headers), _stop.Token);
        if (body.Length > 0) await socket.SendAsync(body, _stop.Token);
        socket.Shutdown(SocketShutdown.Send);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
