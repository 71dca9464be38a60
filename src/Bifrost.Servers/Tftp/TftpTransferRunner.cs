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
/// senders), the file read in chunks with <see cref="RandomAccess"/> (never loaded whole), and a deadline per sent
/// window. It executes what <see cref="TftpReadTransfer"/> decides and reports the outcome (log, metrics, timeline).
/// </summary>
internal sealed class TftpTransferRunner(TftpDecision.Serve serve, IPEndPoint client, TftpServerOptions options, ILogger log, BootTimeline? timeline)
{
    /// <summary>Bytes read from the file at once: several blocks of a window per read, bounded for 1,000 transfers.</summary>
    private const int ChunkBytes = 128 * 1024;

    private readonly TftpReadTransfer _transfer = new(serve.File.Length, serve.Options, options.MaxRetries);
    private byte[] _chunk = [];
    private long _chunkOffset = -1;
    private int _chunkLength;
    private long _bytesSent;
    private Socket? _socket;

    public async Task RunAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        TftpMetrics.Active.Add(1);
        TftpAction end;
        try
        {
            end = await TransferAsync(ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The file vanished or became unreadable after the lookup: tell the client, count it as ours.
            end = new TftpAction(TftpActionKind.TimedOut, Reason: $"cannot read the file: {e.Message}");
            TryTellClient(TftpErrorCode.AccessViolation, "cannot read the file");
        }
        finally
        {
            TftpMetrics.Active.Add(-1);
            TftpMetrics.BytesSent.Add(_bytesSent);
        }
        Report(end, Stopwatch.GetElapsedTime(started));
    }

    private async Task<TftpAction> TransferAsync(CancellationToken ct)
    {
        using var socket = new Socket(client.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(options.Listen.Address, 0));
        socket.Connect(client);
        _socket = socket;
        using var file = File.OpenHandle(serve.File.Path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
        var packet = new byte[TftpData.HeaderLength + serve.Options.BlockSize];
        var receive = new byte[TftpWire.MaxPacket];
        var timeout = serve.Options.Timeout;
        var action = _transfer.Start();
        var deadline = 0L;
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            while (true)
            {
                switch (action.Kind)
                {
                    case TftpActionKind.SendOptionAck:
                        var oack = new TftpOptionAck(serve.Options.Acknowledged);
                        var length = oack.Write(packet.Length >= oack.GetEncodedLength() ? packet : packet = new byte[oack.GetEncodedLength()]);
                        await socket.SendAsync(packet.AsMemory(0, length), SocketFlags.None, ct);
                        deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
                        break;
                    case TftpActionKind.SendData:
                        if (packet.Length < TftpData.HeaderLength + serve.Options.BlockSize)
                            packet = new byte[TftpData.HeaderLength + serve.Options.BlockSize];
                        for (var block = action.FirstBlock; block < action.FirstBlock + action.Count; block++)
                        {
                            var payload = await ReadBlockAsync(file, block, packet.AsMemory(TftpData.HeaderLength), ct);
                            TftpData.WriteHeader(packet, TftpReadTransfer.WireBlock(block));
                            await socket.SendAsync(packet.AsMemory(0, TftpData.HeaderLength + payload), SocketFlags.None, ct);
                            _bytesSent += payload;
                        }
                        deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
                        break;
                    case TftpActionKind.Wait:
                        break;
                    default:
                        return action;
                }

                var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
                if (remaining <= TimeSpan.Zero)
                {
                    action = _transfer.OnTimeout();
                    continue;
                }
                if (!cts.TryReset())
                {
                    cts.Dispose();
                    cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                }
                cts.CancelAfter(remaining);
                int received;
                try
                {
                    received = await socket.ReceiveAsync(receive, SocketFlags.None, cts.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    action = _transfer.OnTimeout();
                    continue;
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
                {
                    // ICMP port unreachable: the client closed its port. Nobody is left to retransmit to.
                    return new TftpAction(TftpActionKind.ClientError, Reason: "the client's port is closed (ICMP port unreachable)");
                }
                action = OnDatagram(receive.AsSpan(0, received));
            }
        }
        finally
        {
            cts.Dispose();
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
    private async ValueTask<int> ReadBlockAsync(SafeFileHandle file, long block, Memory<byte> destination, CancellationToken ct)
    {
        var offset = _transfer.Offset(block);
        var length = _transfer.PayloadLength(block);
        if (length == 0) return 0;
        if (offset < _chunkOffset || offset + length > _chunkOffset + _chunkLength)
        {
            var blockSize = serve.Options.BlockSize;
            if (_chunk.Length == 0)
                _chunk = new byte[Math.Max(blockSize, ChunkBytes / blockSize * blockSize)];
            _chunkOffset = offset;
            _chunkLength = 0;
            // Fill the chunk as far as the file goes: a short read is not the end of the file.
            while (_chunkLength < _chunk.Length)
            {
                var n = await RandomAccess.ReadAsync(file, _chunk.AsMemory(_chunkLength), offset + _chunkLength, ct);
                if (n == 0) break;
                _chunkLength += n;
            }
            if (_chunkLength < length)
                throw new IOException($"{serve.File.Path} shrank to {offset + _chunkLength} bytes during the transfer");
        }
        _chunk.AsMemory((int)(offset - _chunkOffset), length).CopyTo(destination);
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
                var outcome = end.Kind == TftpActionKind.ClientError ? "client_error" : "timeout";
                var failed = string.Create(CultureInfo.InvariantCulture,
                    $"RRQ {name} failed after {delivered:N0} of {serve.File.Length:N0} bytes in {seconds} s {shape}: {end.Reason}");
                Log.Failed(log, client, failed);
                TftpMetrics.Finished(outcome);
                timeline?.TryRecord(client.Address, HistoryEventType.Tftp, failed, HistorySeverity.Error);
                break;
        }
    }
}
