using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.Timeline;
using Bifrost.Protocols.Tftp;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Bifrost.Servers.Tftp;

/// <summary>
/// The I/O of one read transfer: a socket on a fresh port connected to the client (so the kernel drops other
/// senders), the file read in large chunks with <see cref="RandomAccess"/> (never loaded whole), and a deadline per sent
/// window. It executes what <see cref="TftpReadTransfer"/> decides and reports the outcome (log, metrics, timeline).
/// </summary>
/// <remarks>
/// Runs synchronously on a dedicated thread with blocking socket calls. Why not async: in lock-step (512-byte,
/// windowsize 1) transfers every block costs one ACK round trip, and an awaited receive costs two thread wake-ups per
/// ACK (the socket engine's epoll thread, then a thread-pool worker) plus a timer per wait. A blocking recv with
/// SO_RCVTIMEO wakes exactly the thread that sends the next window, which is what atftpd and tftpd-hpa do; on a busy
/// machine each wake-up waits for a time slice, so this halves the per-block latency. The socket is never used
/// asynchronously (that would switch .NET to its emulated blocking mode). A thread waiting for an ACK costs a small
/// stack and no CPU; <see cref="TftpServerOptions.MaxTransfers"/> bounds how many exist.
/// </remarks>
internal sealed class TftpTransferRunner(TftpDecision.Serve serve, IPEndPoint client, TftpServerOptions options, ILogger log, BootTimeline? timeline)
{
    /// <summary>Bytes read from the file at once: many blocks per read, bounded for 1,000 transfers.</summary>
    private const int ChunkBytes = 128 * 1024;

    /// <summary>Enough for the loop's locals and the logging path; the default 8 MiB reservation is pointless here.</summary>
    private const int ThreadStackBytes = 256 * 1024;

    private readonly TftpReadTransfer _transfer = new(serve.File.Length, serve.Options, options.MaxRetries);
    private byte[] _chunk = [];
    private int _chunkCapacity;
    private long _chunkOffset = -1;
    private int _chunkLength;
    private long _bytesSent;
    private Socket? _socket;
    private bool _failedLocally;

    /// <summary>Starts the transfer on its own thread; the task completes when it has ended and been reported.</summary>
    public Task RunAsync(CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(ct);
                done.SetResult();
            }
            catch (OperationCanceledException e)
            {
                done.SetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }, ThreadStackBytes)
        {
            IsBackground = true,
            Name = "tftp transfer",
        };
        thread.Start();
        return done.Task;
    }

    private void Run(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        TftpMetrics.Active.Add(1);
        TftpAction end;
        try
        {
            end = Transfer(ct);
        }
        finally
        {
            TftpMetrics.Active.Add(-1);
            TftpMetrics.BytesSent.Add(_bytesSent);
            if (_chunk.Length > 0) ArrayPool<byte>.Shared.Return(_chunk);
            _chunk = [];
        }
        Report(end, Stopwatch.GetElapsedTime(started));
    }

    private TftpAction Transfer(CancellationToken ct)
    {
        using var socket = new Socket(client.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(options.Listen.Address, 0));
        socket.Connect(client);
        _socket = socket;
        // Stopping the server closes the socket, which ends a blocked receive at once (it throws; see Receive).
        using var stop = ct.UnsafeRegister(static s => ((Socket)s!).Dispose(), socket);
        try
        {
            using var file = File.OpenHandle(serve.File.Path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            return Transfer(socket, file, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The file vanished, shrank or became unreadable after the lookup: tell the client; the failure is ours.
            _failedLocally = true;
            TryTellClient(e is UnauthorizedAccessException ? TftpErrorCode.AccessViolation : TftpErrorCode.NotDefined, "cannot read the file");
            return new TftpAction(TftpActionKind.TimedOut, Reason: $"cannot read the file: {e.Message}");
        }
    }

    private TftpAction Transfer(Socket socket, SafeFileHandle file, CancellationToken ct)
    {
        var packet = new byte[TftpData.HeaderLength + serve.Options.BlockSize];
        var receive = new byte[TftpWire.MaxPacket];
        var timeout = serve.Options.Timeout;
        var action = _transfer.Start();
        var deadline = 0L;
        var socketTimeoutMs = 0; // what SO_RCVTIMEO is set to now (0: never set, blocks forever)
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            switch (action.Kind)
            {
                case TftpActionKind.SendOptionAck:
                    var oack = new TftpOptionAck(serve.Options.Acknowledged);
                    var length = oack.Write(packet.Length >= oack.GetEncodedLength() ? packet : packet = new byte[oack.GetEncodedLength()]);
                    Send(socket, packet.AsSpan(0, length), ct);
                    deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
                    break;
                case TftpActionKind.SendData:
                    if (packet.Length < TftpData.HeaderLength + serve.Options.BlockSize)
                        packet = new byte[TftpData.HeaderLength + serve.Options.BlockSize];
                    for (var block = action.FirstBlock; block < action.FirstBlock + action.Count; block++)
                    {
                        var payload = ReadBlock(file, block, packet.AsSpan(TftpData.HeaderLength));
                        TftpData.WriteHeader(packet, TftpReadTransfer.WireBlock(block));
                        Send(socket, packet.AsSpan(0, TftpData.HeaderLength + payload), ct);
                        _bytesSent += payload;
                    }
                    deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
                    break;
                case TftpActionKind.Wait:
                    break;
                default:
                    return action;
            }

            // Whole milliseconds, rounded up so a wait never ends early; the syscall only when the value changes
            // (after a full window it is the same timeout every time).
            var remainingMs = (int)Math.Ceiling(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline).TotalMilliseconds);
            if (remainingMs <= 0)
            {
                action = _transfer.OnTimeout();
                continue;
            }
            if (remainingMs != socketTimeoutMs)
            {
                socket.ReceiveTimeout = remainingMs;
                socketTimeoutMs = remainingMs;
            }
            var received = Receive(socket, receive, ct);
            if (received.Ended is { } ended) return ended;
            action = received.Length < 0 ? _transfer.OnTimeout() : OnDatagram(receive.AsSpan(0, received.Length));
        }
    }

    private static void Send(Socket socket, ReadOnlySpan<byte> datagram, CancellationToken ct)
    {
        try
        {
            socket.Send(datagram);
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is SocketException or ObjectDisposedException)
        {
            throw new OperationCanceledException(ct);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
        {
            // A queued ICMP port unreachable surfaces on the next send too; the next receive reports it. Dropping
            // this datagram is harmless: the client is gone or will time out and the window is re-sent.
        }
    }

    /// <summary>Length received, -1 on timeout, or the end of the transfer when the client's port is closed.</summary>
    private static (int Length, TftpAction? Ended) Receive(Socket socket, byte[] buffer, CancellationToken ct)
    {
        try
        {
            return (socket.Receive(buffer), null);
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is SocketException or ObjectDisposedException)
        {
            throw new OperationCanceledException(ct);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            return (-1, null);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
        {
            // ICMP port unreachable: the client closed its port. Nobody is left to retransmit to.
            return (0, new TftpAction(TftpActionKind.ClientError, Reason: "the client's port is closed (ICMP port unreachable)"));
        }
    }

    private TftpAction OnDatagram(ReadOnlySpan<byte> datagram)
    {
        if (TftpAck.TryRead(datagram, out var block, out _)) return _transfer.OnAck(block);
        if (TftpError.TryRead(datagram, out var error, out _)) return _transfer.OnError(error.Code, error.Message);
        Log.Stray(log, client, serve.Request.Filename, datagram.Length);
        return TftpAction.Wait;
    }

    /// <summary>Copies block <paramref name="block"/> into <paramref name="destination"/>, reading a chunk when needed.</summary>
    private int ReadBlock(SafeFileHandle file, long block, Span<byte> destination)
    {
        var offset = _transfer.Offset(block);
        var length = _transfer.PayloadLength(block);
        if (length == 0) return 0;
        if (offset < _chunkOffset || offset + length > _chunkOffset + _chunkLength)
        {
            var blockSize = serve.Options.BlockSize;
            if (_chunk.Length == 0)
            {
                // Pooled: a 128 KiB array is a large-object-heap allocation, and 100 transfers at once made gen-2 GCs.
                _chunkCapacity = Math.Max(blockSize, ChunkBytes / blockSize * blockSize);
                _chunk = ArrayPool<byte>.Shared.Rent(_chunkCapacity);
            }
            _chunkOffset = offset;
            _chunkLength = 0;
            // Fill the chunk as far as the file goes: a short read is not the end of the file.
            while (_chunkLength < _chunkCapacity)
            {
                var n = RandomAccess.Read(file, _chunk.AsSpan(_chunkLength, _chunkCapacity - _chunkLength), offset + _chunkLength);
                if (n == 0) break;
                _chunkLength += n;
            }
            if (_chunkLength < length)
                throw new IOException($"{serve.File.Path} shrank to {offset + _chunkLength} bytes during the transfer");
        }
        _chunk.AsSpan((int)(offset - _chunkOffset), length).CopyTo(destination);
        return length;
    }

    private void TryTellClient(TftpErrorCode code, string message)
    {
        try
        {
            var packet = new TftpError(code, message);
            var bytes = new byte[packet.GetEncodedLength()];
            packet.Write(bytes);
            _socket?.Send(bytes);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private void Report(TftpAction end, TimeSpan elapsed)
    {
        var o = serve.Options;
        var name = serve.Request.Filename;
        var delivered = Math.Min(serve.File.Length, _transfer.AckedBlock * o.BlockSize);
        var shape = $"blksize {o.BlockSize} window {o.WindowSize}";
        var seconds = elapsed.TotalSeconds.ToString("0.0##", CultureInfo.InvariantCulture);
        TftpMetrics.Duration.Record(elapsed.TotalSeconds);
        switch (end.Kind)
        {
            case TftpActionKind.Done:
                var done = string.Create(CultureInfo.InvariantCulture, $"RRQ {name} {serve.File.Length:N0} bytes in {seconds} s {shape}");
                Log.Completed(log, client, done);
                TftpMetrics.Finished("completed");
                timeline?.TryRecord(client.Address, HistoryEventType.Tftp, done);
                break;
            case TftpActionKind.ClientAborted:
                // UEFI asks for tsize, reads the OACK and says ERROR 8 on purpose: a normal step of its boot.
                var probe = string.Create(CultureInfo.InvariantCulture, $"RRQ {name} size probe: {serve.File.Length:N0} bytes announced, client ended after the OACK");
                Log.Probe(log, client, probe);
                TftpMetrics.Finished("probe");
                timeline?.TryRecord(client.Address, HistoryEventType.Tftp, probe);
                break;
            default:
                var outcome = _failedLocally ? "failed" : end.Kind == TftpActionKind.ClientError ? "client_error" : "timeout";
                var failed = string.Create(CultureInfo.InvariantCulture,
                    $"RRQ {name} failed after {delivered:N0} of {serve.File.Length:N0} bytes in {seconds} s {shape}: {end.Reason}");
                Log.Failed(log, client, failed);
                TftpMetrics.Finished(outcome);
                timeline?.TryRecord(client.Address, HistoryEventType.Tftp, failed, HistorySeverity.Error);
                break;
        }
    }
}
