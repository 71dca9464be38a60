using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Bifrost.Ramdisk.Tests;

/// <summary>
/// An HTTP/1.0 image server on loopback that misbehaves on request: each GET takes the next queued
/// <see cref="Answer"/> (the last one repeats). A short answer announces the full Content-Length, sends fewer bytes and
/// closes — what the agent sees when Bifrost or the network dies mid-image. Raw sockets, because no HTTP server
/// library sends a short body on purpose.
/// </summary>
public sealed class ImageHttpServer : IDisposable
{
    /// <summary>Status, the body and how many of its bytes to send (all when null); a delay between 64 KiB chunks.</summary>
    public sealed record Answer(int Status, byte[] Body, int? SendBytes = null, TimeSpan ChunkDelay = default);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<Answer> _answers = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private Answer? _last;
    private int _requests;

    public ImageHttpServer(params Answer[] answers)
    {
        foreach (var a in answers) _answers.Enqueue(a);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url(string file) => $"http://127.0.0.1:{Port}/images/{file}";

    /// <summary>GET requests answered so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The request lines and headers of every request, in order.</summary>
    public ConcurrentQueue<string> Heads { get; } = new();

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream);
                Heads.Enqueue(head);
                Interlocked.Increment(ref _requests);
                if (!_answers.TryDequeue(out var answer)) answer = _last ?? new Answer(404, Encoding.ASCII.GetBytes("not found\n"));
                _last = answer;
                var reason = answer.Status == 200 ? "OK" : "Error";
                var header = Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 {answer.Status} {reason}\r\nContent-Type: application/octet-stream\r\nContent-Length: {answer.Body.Length}\r\n" +
                    "Connection: close\r\n\r\n");
                await stream.WriteAsync(header);
                var send = answer.SendBytes ?? answer.Body.Length;
                for (var offset = 0; offset < send; offset += 65536)
                {
                    await stream.WriteAsync(answer.Body.AsMemory(offset, Math.Min(65536, send - offset)));
                    if (answer.ChunkDelay > TimeSpan.Zero) await Task.Delay(answer.ChunkDelay);
                }
                await stream.FlushAsync();
                client.Client.Shutdown(SocketShutdown.Send);
                // Drain until the client closes, so closing never resets a connection whose body is still unread.
                var sink = new byte[4096];
                while (await stream.ReadAsync(sink) > 0) { }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 16384)
        {
            if (await stream.ReadAsync(one) == 0) break;
            head.Append((char)one[0]);
        }
        return head.ToString();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _listener.Dispose();
        _stop.Dispose();
    }
}
