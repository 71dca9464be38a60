using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Bifrost.TestKit;

/// <summary>
/// Fault injection over HTTP (the happy path is tested against python3's http.server, <see cref="PythonHttpServer"/>):
/// a loopback server on raw sockets, because no HTTP server library resets a connection or sends a short body on
/// purpose. Each request, whatever its path, takes the next queued <see cref="HttpAnswer"/>; the last one repeats. One
/// request per connection (every answer says <c>Connection: close</c>).
/// </summary>
public sealed class FaultyHttpServer : IDisposable, IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<HttpAnswer> _answers;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private HttpAnswer _last = HttpAnswer.Error(404);
    private int _requests;

    public FaultyHttpServer(params HttpAnswer[] answers)
    {
        _answers = new ConcurrentQueue<HttpAnswer>(answers);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The URL of <paramref name="path"/> (relative, no leading slash) on this server.</summary>
    public string Url(string path) => $"http://127.0.0.1:{Port}/{path}";

    /// <summary>Requests answered so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The request line and headers of every request, in order.</summary>
    public ConcurrentQueue<string> Heads { get; } = new();

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
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
                if (await ReadHeadAsync(socket) is not { } head) return;
                Heads.Enqueue(head);
                Interlocked.Increment(ref _requests);
                HttpAnswer answer;
                lock (_answers)
                {
                    if (_answers.TryDequeue(out var next)) _last = next;
                    answer = _last;
                }
                if (answer.Reset)
                {
                    socket.LingerState = new LingerOption(true, 0); // close → RST: "connection reset by peer"
                    return;
                }
                var header = Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 {answer.Status} {Reason(answer.Status)}\r\nContent-Type: application/octet-stream\r\n" +
                    $"Content-Length: {answer.Body.Length}\r\nConnection: close\r\n\r\n");
                await socket.SendAsync(header, _stop.Token);
                var send = answer.SendBytes ?? answer.Body.Length;
                for (var offset = 0; offset < send; offset += 65536)
                {
                    await socket.SendAsync(answer.Body.AsMemory(offset, Math.Min(65536, send - offset)), _stop.Token);
                    if (answer.ChunkDelay > TimeSpan.Zero) await Task.Delay(answer.ChunkDelay, _stop.Token);
                }
                socket.Shutdown(SocketShutdown.Send);
                // Drain until the client closes, so closing never resets a connection whose body is still unread.
                var sink = new byte[4096];
                while (await socket.ReceiveAsync(sink, _stop.Token) > 0) { }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
            }
        }
    }

    /// <summary>The request head up to its blank line (at most 16 KiB), or null when the client closes first.</summary>
    private async Task<string?> ReadHeadAsync(Socket socket)
    {
        var buffer = new byte[16384];
        var seen = 0;
        while (seen < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(seen), _stop.Token);
            if (n == 0) return null;
            seen += n;
            var end = buffer.AsSpan(0, seen).IndexOf("\r\n\r\n"u8);
            if (end >= 0) return Encoding.ASCII.GetString(buffer, 0, end + 4);
        }
        return Encoding.ASCII.GetString(buffer, 0, seen);
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        206 => "Partial Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    };

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
        }
        _listener.Dispose();
        _stop.Dispose();
    }
}

/// <summary>
/// One answer of <see cref="FaultyHttpServer"/>: a status with a body, of which only <see cref="SendBytes"/> are sent
/// when set (the full length is still announced: a short body), with <see cref="ChunkDelay"/> between 64 KiB chunks; or
/// a connection reset right after the request.
/// </summary>
public sealed record HttpAnswer(int Status, byte[] Body, int? SendBytes = null, TimeSpan ChunkDelay = default, bool Reset = false)
{
    public static HttpAnswer Ok(byte[] body) => new(200, body);

    /// <summary>200 announcing all of <paramref name="body"/>, then only its first <paramref name="sendBytes"/> and a close.</summary>
    public static HttpAnswer Short(byte[] body, int sendBytes) => new(200, body, sendBytes);

    public static HttpAnswer Error(int status) => new(status, []);

    /// <summary>The request is read, then the connection is reset (RST).</summary>
    public static HttpAnswer ConnectionReset { get; } = new(0, [], Reset: true);
}
