using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.Timeline;
using Bifrost.Protocols.Tftp;
using Microsoft.Extensions.Logging;

namespace Bifrost.Servers.Tftp;

/// <summary>
/// The TFTP socket service: receives requests on the listening port, asks <see cref="TftpResponder"/> what to do, and
/// runs each transfer on its own ephemeral port (RFC 1350 transfer identifiers), spread round-robin over a few
/// event-loop threads (<see cref="TftpEventLoop"/>, <see cref="TftpServerOptions.TransferThreads"/>). Only moves bytes; every decision is the responder's or the transfer state machine's.
/// </summary>
public sealed class TftpServer : IAsyncDisposable
{
    private readonly TftpServerOptions _options;
    private readonly TftpResponder _responder;
    private readonly ILogger _log;
    private readonly BootTimeline? _timeline;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, Task> _transfers = new();
    private Socket? _socket;
    private Task? _loop;
    private TftpEventLoop[] _transferLoops = [];
    private int _nextTransferId;

    public TftpServer(TftpServerOptions options, ITftpFiles files, ILogger log, BootTimeline? timeline = null)
    {
        _options = options;
        _responder = new TftpResponder(files, options.Limits);
        _log = log;
        _timeline = timeline;
    }

    /// <summary>The bound request endpoint (the real port when <see cref="TftpServerOptions.Listen"/> asked for 0).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)(_socket?.LocalEndPoint ?? throw new InvalidOperationException("not started"));

    public int ActiveTransfers => _transfers.Count;

    /// <summary>Binds the request socket (throws <see cref="SocketException"/> when it cannot) and starts receiving.</summary>
    public void Start()
    {
        var socket = new Socket(_options.Listen.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        // Room for a burst of requests (a rack powering on at once) while the loop is busy; the kernel caps it at
        // net.core.rmem_max.
        socket.ReceiveBufferSize = 1 << 20;
        try
        {
            socket.Bind(_options.Listen);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        _socket = socket;
        _transferLoops = [.. Enumerable.Range(0, Math.Max(1, _options.TransferThreads)).Select(_ => new TftpEventLoop(_stop.Token))];
        Log.Listening(_log, LocalEndPoint, _options.Root);
        _loop = Task.Run(() => ReceiveLoopAsync(socket, _stop.Token));
    }

    public async Task StopAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync();
        _socket?.Dispose();
        if (_loop is not null) await _loop.ConfigureAwait(false);
        await Task.WhenAll(_transfers.Values).ConfigureAwait(false);
        foreach (var loop in _transferLoops) loop.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task ReceiveLoopAsync(Socket socket, CancellationToken ct)
    {
        var buffer = new byte[TftpWire.MaxPacket];
        var any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, ct);
                failures = 0;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (ObjectDisposedException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (SocketException e) when (++failures < 100)
            {
                // An ICMP error for an earlier reply surfaces here on Linux (ConnectionRefused/Reset): not fatal.
                Log.ReceiveError(_log, e.SocketErrorCode.ToString());
                continue;
            }
            catch (Exception e)
            {
                Log.SocketFailed(_log, e);
                throw;
            }
            var client = (IPEndPoint)received.RemoteEndPoint;
            try
            {
                Handle(buffer.AsSpan(0, received.ReceivedBytes), client, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.Dropped(_log, client, $"{e.GetType().Name}: {e.Message}");
            }
        }
    }

    private void Handle(ReadOnlySpan<byte> datagram, IPEndPoint client, CancellationToken ct)
    {
        var decision = _responder.Decide(datagram);
        switch (decision)
        {
            case TftpDecision.Ignore ignore:
                Log.Dropped(_log, client, ignore.Reason);
                return;
            case TftpDecision.Refuse refuse:
                Refuse(client, refuse.Request, refuse.Code, refuse.Message);
                return;
            case TftpDecision.Serve serve when _transfers.Count >= _options.MaxTransfers:
                Refuse(client, serve.Request, TftpErrorCode.NotDefined, "server busy: too many transfers, try again");
                return;
            case TftpDecision.Serve serve:
                var id = Interlocked.Increment(ref _nextTransferId);
                var transfer = new TftpTransferRunner(serve, client, _options, _log, _timeline);
                // Added before it runs and removed when it ends, so StopAsync waits for every transfer.
                var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _transfers[id] = tcs.Task;
                _ = RunAsync(id, transfer, tcs, client, serve.Request.Filename, ct);
                return;
        }
    }

    private async Task RunAsync(int id, TftpTransferRunner transfer, TaskCompletionSource done, IPEndPoint client, string file, CancellationToken ct)
    {
        try
        {
            _transferLoops[id % _transferLoops.Length].Add(transfer);
            await transfer.Completion.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.Crashed(_log, e, client, file);
            TftpMetrics.Finished("failed");
        }
        finally
        {
            _transfers.TryRemove(id, out _);
            done.SetResult();
        }
    }

    /// <summary>ERROR to a request, sent from a fresh port like every answer to a request (RFC 1350 §4).</summary>
    private void Refuse(IPEndPoint client, TftpRequest request, TftpErrorCode code, string message)
    {
        var packet = new TftpError(code, message);
        var bytes = new byte[packet.GetEncodedLength()];
        packet.Write(bytes);
        using (var socket = new Socket(client.AddressFamily, SocketType.Dgram, ProtocolType.Udp))
        {
            socket.Bind(new IPEndPoint(_options.Listen.Address, 0));
            socket.SendTo(bytes, client);
        }
        var opcode = request.Opcode == TftpOpcode.WriteRequest ? "WRQ" : "RRQ";
        Log.Refused(_log, client, opcode, request.Filename, (int)code, message);
        TftpMetrics.Finished("refused");
        _timeline?.TryRecord(client.Address, HistoryEventType.Tftp,
            $"{opcode} {request.Filename} refused: error {(int)code} {message}", HistorySeverity.Warning);
    }
}
