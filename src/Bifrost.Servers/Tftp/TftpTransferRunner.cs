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
/// The I/O of one read transfer: a non-blocking socket on a fresh port connected to the client (so the kernel drops
/// other senders), the file read in large chunks with <see cref="RandomAccess"/> (never loaded whole), and a deadline
/// per sent window. It executes what <see cref="TftpReadTransfer"/> decides and reports the outcome (log, metrics,
/// timeline). Driven by <see cref="TftpEventLoop"/>, on its thread only: <see cref="Begin"/>, then
/// <see cref="OnReadable"/> and <see cref="OnTimer"/> until one of them returns false, then <see cref="Close"/>.
/// </summary>
internal sealed class TftpTransferRunner(TftpDecision.Serve serve, IPEndPoint client, TftpServerOptions options, ILogger log, BootTimeline? timeline)
{
    /// <summary>Bytes read from the file at once: many blocks per read, bounded for 1,000 transfers.</summary>
    private const int ChunkBytes = 128 * 1024;

    private readonly TftpReadTransfer _transfer = new(serve.File.Length, serve.Options, options.MaxRetries);
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _timeoutTicks = (long)(serve.Options.Timeout.TotalSeconds * Stopwatch.Frequency);
    private byte[] _packet = [];
    private byte[] _chunk = [];
    private int _chunkCapacity;
    private long _chunkOffset = -1;
    private int _chunkLength;
    private long _bytesSent;
    private long _started;
    private Socket? _socket;
    private SafeFileHandle? _file;
    private bool _failedLocally;
    private bool _counted;

    /// <summary>Ends when the transfer has ended and been reported (cancelled when the server stopped first).</summary>
    public Task Completion => _done.Task;

    /// <summary>When the window (or OACK) in flight is due for retransmission (a <see cref="Stopwatch"/> timestamp).</summary>
    public long Deadline { get; private set; } = long.MaxValue;

    /// <summary>The socket's file descriptor, for the loop's epoll set.</summary>
    public int Descriptor => (int)_socket!.SafeHandle.DangerousGetHandle();

    /// <summary>Opens the socket and the file and sends the OACK or the first window; false when it ended already.</summary>
    public bool Begin()
    {
        _started = Stopwatch.GetTimestamp();
        _counted = true;
        TftpMetrics.Active.Add(1);
        bool running;
        try
        {
            var socket = new Socket(client.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            _socket = socket;
            socket.Bind(new IPEndPoint(options.Listen.Address, 0));
            socket.Connect(client);
            socket.Blocking = false;
            _file = File.OpenHandle(serve.File.Path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            running = Execute(_transfer.Start());
        }
        catch (Exception e)
        {
            running = Failed(e);
        }
        if (!running) _socket?.Dispose(); // never joined the loop's set
        return running;
    }

    /// <summary>
    /// Reads one datagram from the client and answers it; false when the transfer has ended. One per readiness
    /// report: a client sends one ACK per window, and reading on until the socket is empty would cost a second
    /// receive (answered "would block") per block; anything more stays ready for the loop's next wait
    /// (level-triggered).
    /// </summary>
    public bool OnReadable(byte[] buffer)
    {
        try
        {
            var length = _socket!.Receive(buffer, 0, buffer.Length, SocketFlags.None, out var error);
            return error switch
            {
                SocketError.Success => Execute(OnDatagram(buffer.AsSpan(0, length))),
                SocketError.WouldBlock => true,
                // ICMP port unreachable: the client closed its port. Nobody is left to retransmit to.
                SocketError.ConnectionRefused or SocketError.ConnectionReset =>
                    End(new TftpAction(TftpActionKind.ClientError, Reason: "the client's port is closed (ICMP port unreachable)")),
                _ => FailLocally(new SocketException((int)error)),
            };
        }
        catch (Exception e)
        {
            return Failed(e);
        }
    }

    /// <summary>Called once <see cref="Deadline"/> has passed: retransmits or gives up; false when the transfer has ended.</summary>
    public bool OnTimer()
    {
        try
        {
            return Execute(_transfer.OnTimeout());
        }
        catch (Exception e)
        {
            return Failed(e);
        }
    }

    /// <summary>Takes the socket out of the loop's epoll set and closes it (after the transfer has ended).</summary>
    public void Close(Epoll epoll)
    {
        epoll.Remove(Descriptor);
        _socket!.Dispose();
    }

    /// <summary>The server stopped: no report, the completion ends as cancelled.</summary>
    public void Cancel()
    {
        if (_done.Task.IsCompleted) return;
        Release();
        _socket?.Dispose();
        _done.TrySetCanceled();
    }

    private bool Execute(TftpAction action)
    {
        switch (action.Kind)
        {
            case TftpActionKind.SendOptionAck:
                var oack = new TftpOptionAck(serve.Options.Acknowledged);
                var packet = Packet(oack.GetEncodedLength());
                Send(packet.AsSpan(0, oack.Write(packet)));
                Deadline = Stopwatch.GetTimestamp() + _timeoutTicks;
                return true;
            case TftpActionKind.SendData:
                var data = Packet(TftpData.HeaderLength + serve.Options.BlockSize);
                for (var block = action.FirstBlock; block < action.FirstBlock + action.Count; block++)
                {
                    var payload = ReadBlock(_file!, block, data.AsSpan(TftpData.HeaderLength));
                    TftpData.WriteHeader(data, TftpReadTransfer.WireBlock(block));
                    Send(data.AsSpan(0, TftpData.HeaderLength + payload));
                    _bytesSent += payload;
                }
                Deadline = Stopwatch.GetTimestamp() + _timeoutTicks;
                return true;
            case TftpActionKind.Wait:
                return true;
            default:
                return End(action);
        }
    }

    private byte[] Packet(int length) => _packet.Length >= length ? _packet : _packet = new byte[Math.Max(length, TftpData.HeaderLength + serve.Options.BlockSize)];

    private void Send(ReadOnlySpan<byte> datagram)
    {
        // WouldBlock (send buffer full) or a queued ICMP error (refused/reset): the datagram is dropped. That is
        // harmless: the client is gone (the next receive says so) or the window is re-sent at the deadline.
        _socket!.Send(datagram, SocketFlags.None, out _);
    }

    /// <summary>An exception out of this transfer's work: an I/O or socket error ends it as our failure (reported, the
    /// client told); anything else is a bug, handed to the server to log.</summary>
    private bool Failed(Exception e) =>
        e is IOException or UnauthorizedAccessException or SocketException ? FailLocally(e) : Crash(e);

    private bool FailLocally(Exception e)
    {
        // The file vanished, shrank or became unreadable after the lookup, or the socket failed: tell the client; the
        // failure is ours.
        _failedLocally = true;
        TryTellClient(e is UnauthorizedAccessException ? TftpErrorCode.AccessViolation : TftpErrorCode.NotDefined, "cannot read the file");
        var what = e is SocketException ? "socket error" : "cannot read the file";
        return End(new TftpAction(TftpActionKind.TimedOut, Reason: $"{what}: {e.Message}"));
    }

    private bool Crash(Exception e)
    {
        Release();
        _done.TrySetException(e);
        return false;
    }

    /// <summary>The loop cannot run this transfer (its epoll failed): it ends with <paramref name="e"/>, unreported
    /// here (the server logs the crash).</summary>
    public void Abandon(Exception e)
    {
        if (_done.Task.IsCompleted) return;
        Crash(e);
        _socket?.Dispose();
    }

    private bool End(TftpAction end)
    {
        Release();
        Report(end, Stopwatch.GetElapsedTime(_started));
        _done.TrySetResult();
        return false;
    }

    /// <summary>Closes the file and counts the transfer out of the metrics, once. The socket stays open for the loop to
    /// take out of its epoll set (<see cref="Close"/>).</summary>
    private void Release()
    {
        _file?.Dispose();
        _file = null;
        if (_chunk.Length > 0) ArrayPool<byte>.Shared.Return(_chunk);
        _chunk = [];
        if (!_counted) return;
        _counted = false;
        TftpMetrics.Active.Add(-1);
        TftpMetrics.BytesSent.Add(_bytesSent);
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
