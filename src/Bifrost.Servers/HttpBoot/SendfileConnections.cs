using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace Bifrost.Servers.HttpBoot;

/// <summary>
/// Kestrel connection middleware on the boot listener: a plain whole-file GET of <c>/images/</c>, <c>/ramdisk/</c>
/// or <c>/tftp/</c> is answered with sendfile(2) on the connection's own socket, so image bytes go from the page cache
/// to the socket without being copied through user space (Kestrel has no sendfile: it copies every byte through its
/// pipes, and reached about 40% of nginx in bench/http). Everything else — a Range or conditional request, HEAD, the
/// boot scripts, a missing file, a malformed head — is handed to Kestrel with not one byte consumed, so Kestrel's
/// parser and <see cref="HttpBootServer"/> answer it exactly as before, and the connection stays Kestrel's from then
/// on. Keep-alive connections may serve several files this way first.
/// </summary>
public sealed class SendfileConnections(BootFiles files, ILogger<SendfileConnections> log)
{
    /// <summary>How long to wait for a request head before the connection is handed to Kestrel, which then applies its
    /// own keep-alive and header timeouts.</summary>
    public TimeSpan HeadWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Bytes per sendfile step, and the time a step may take: a client slower than ~140 KB/s for a whole
    /// minute is cut off (Kestrel's own minimum response rate does the same on its path).</summary>
    private const int Step = 8 * 1024 * 1024;
    private static readonly TimeSpan StepDeadline = TimeSpan.FromSeconds(60);

    private long _responses;

    /// <summary>Whole responses sent by sendfile since start (also the metric <c>bifrost_boot_sendfile_responses</c>).</summary>
    public long Responses => Interlocked.Read(ref _responses);

    /// <summary>For <c>ListenOptions.Use</c>.</summary>
    public ConnectionDelegate Wrap(ConnectionDelegate next) => connection => ServeAsync(connection, next);

    private async Task ServeAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket)
        {
            await next(connection);
            return;
        }
        var input = connection.Transport.Input;
        while (true)
        {
            ReadResult result;
            using (var wait = new CancellationTokenSource(HeadWait))
            {
                try
                {
                    result = await input.ReadAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    await next(connection); // an idle or slow client: Kestrel's timeouts apply from here
                    return;
                }
            }

            var buffer = result.Buffer;
            var parse = Parse(buffer, out var head);
            if (parse == RequestHeadParse.Incomplete && !result.IsCompleted && !result.IsCanceled)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }
            var file = parse == RequestHeadParse.Parsed ? files.Find(head.Path) : null;
            FileStream? stream = null;
            try
            {
                if (file is not null) stream = new FileStream(file.RealPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stream = null; // gone or unreadable since it was resolved: Kestrel's path answers (404)
            }
            if (stream is null)
            {
                input.AdvanceTo(buffer.Start); // nothing consumed: Kestrel reads this head itself
                await next(connection);
                return;
            }

            input.AdvanceTo(buffer.GetPosition(head.Length));
            bool sent;
            await using (stream)
            {
                sent = await SendAsync(connection, socket, file!, stream, head);
            }
            if (!sent || !head.KeepAlive) return; // returning closes the connection
        }
    }

    private static RequestHeadParse Parse(ReadOnlySequence<byte> buffer, out RequestHead head)
    {
        if (buffer.IsSingleSegment) return RequestHeads.Parse(buffer.FirstSpan, out head);
        var length = (int)Math.Min(buffer.Length, RequestHeads.MaxHeadBytes);
        var copy = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            buffer.Slice(0, length).CopyTo(copy);
            return RequestHeads.Parse(copy.AsSpan(0, length), out head);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary>The status line, the headers Kestrel's path sends for the same file, then the file by sendfile.</summary>
    private async Task<bool> SendAsync(ConnectionContext connection, Socket socket, BootFile file, FileStream stream, RequestHead head)
    {
        var info = new FileInfo(file.RealPath);
        var length = stream.Length;
        var headers = new StringBuilder(256)
            .Append("HTTP/1.1 200 OK\r\n")
            .Append("Content-Length: ").Append(length).Append("\r\n")
            .Append("Content-Type: ").Append(file.ContentType).Append("\r\n")
            .Append("Date: ").Append(BootFile.HttpDate(DateTime.UtcNow)).Append("\r\n")
            .Append("Accept-Ranges: bytes\r\n")
            .Append("ETag: ").Append(BootFile.ETag(info)).Append("\r\n")
            .Append("Last-Modified: ").Append(BootFile.HttpDate(info.LastWriteTimeUtc)).Append("\r\n")
            .Append(head.KeepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n")
            .Append("\r\n");
        var client = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        long offset = 0;
        var first = Encoding.ASCII.GetBytes(headers.ToString());
        try
        {
            do
            {
                var count = (int)Math.Min(Step, length - offset);
                var elements = count == 0
                    ? new[] { new SendPacketsElement(first) }
                    : first.Length > 0
                        ? new[] { new SendPacketsElement(first), new SendPacketsElement(stream, offset, count) }
                        : new[] { new SendPacketsElement(stream, offset, count) };
                var error = await SendPacketsAsync(connection, socket, elements);
                if (error != SocketError.Success)
                {
                    Log.SendfileFailed(log, head.Path, client?.ToString() ?? "?", error.ToString());
                    files.Record(file.Kind, "GET", head.Path, client, 200, "aborted", offset, length);
                    return false;
                }
                first = [];
                offset += count;
            } while (offset < length);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            Log.SendfileFailed(log, head.Path, client?.ToString() ?? "?", e.Message);
            files.Record(file.Kind, "GET", head.Path, client, 200, "aborted", offset, length);
            return false;
        }
        files.Record(file.Kind, "GET", head.Path, client, 200, "ok", length, length);
        Interlocked.Increment(ref _responses);
        BootMetrics.SendfileResponses.Add(1, new KeyValuePair<string, object?>("kind", file.Kind));
        return true;
    }

    /// <summary>One sendfile step with its deadline: Success, or why the client is gone (TimedOut: it stopped reading).</summary>
    private static async Task<SocketError> SendPacketsAsync(ConnectionContext connection, Socket socket, SendPacketsElement[] elements)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var args = new SocketAsyncEventArgs { SendPacketsElements = elements };
        args.Completed += (_, _) => done.TrySetResult();
        if (socket.SendPacketsAsync(args))
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
            deadline.CancelAfter(StepDeadline);
            try
            {
                await done.Task.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                connection.Abort(new ConnectionAbortedException("the client stopped reading the file")); // ends the send
                await done.Task;
                return SocketError.TimedOut;
            }
        }
        return args.SocketError;
    }
}
