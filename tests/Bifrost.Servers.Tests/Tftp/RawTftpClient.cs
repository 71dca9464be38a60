using System.Net;
using System.Net.Sockets;
using Bifrost.Protocols.Tftp;

namespace Bifrost.Servers.Tests.Tftp;

/// <summary>
/// Our own minimal TFTP client, for what the real clients cannot do on purpose: abort after the OACK like UEFI,
/// hold a transfer open, drop ACKs, send garbage. Real-client behaviour is tested with tftp-hpa, atftp and curl.
/// </summary>
public sealed class RawTftpClient : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly byte[] _buffer = new byte[TftpWire.MaxPacket];

    public RawTftpClient() => _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

    /// <summary>The server's transfer port, learnt from its first answer.</summary>
    public IPEndPoint? Peer { get; private set; }

    public void Send(IPEndPoint to, ReadOnlySpan<byte> bytes) => _socket.SendTo(bytes, to);

    public void SendRequest(IPEndPoint server, string file, params (string Name, string Value)[] options)
    {
        var request = new TftpRequest(TftpOpcode.ReadRequest, file, "octet",
            options.Select(o => new KeyValuePair<string, string>(o.Name, o.Value)).ToList());
        var bytes = new byte[request.GetEncodedLength()];
        request.Write(bytes);
        Send(server, bytes);
    }

    public void Ack(ushort block)
    {
        var bytes = new byte[TftpAck.Length];
        TftpAck.Write(bytes, block);
        Send(Peer!, bytes);
    }

    public void Error(TftpErrorCode code, string message)
    {
        var packet = new TftpError(code, message);
        var bytes = new byte[packet.GetEncodedLength()];
        packet.Write(bytes);
        Send(Peer!, bytes);
    }

    /// <summary>The next datagram, or null after <paramref name="timeout"/>.</summary>
    public async Task<byte[]?> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var result = await _socket.ReceiveFromAsync(_buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
            Peer ??= (IPEndPoint)result.RemoteEndPoint;
            return _buffer[..result.ReceivedBytes];
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// Receives the rest of a download whose request was sent (and whose first <paramref name="pending"/> packet may
    /// already be in hand): ACKs each block (or the end of each window), returns the bytes or throws with the ERROR.
    /// </summary>
    public async Task<byte[]> DownloadAsync(int blockSize = 512, int window = 1, byte[]? pending = null)
    {
        using var data = new MemoryStream();
        long expected = 1;
        while (true)
        {
            var packet = pending ?? await ReceiveAsync(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException($"no DATA {expected}");
            pending = null;
            TftpWire.TryPeekOpcode(packet, out var opcode);
            switch (opcode)
            {
                case TftpOpcode.OptionAck:
                    Ack(0);
                    continue;
                case TftpOpcode.Error:
                    TftpError.TryRead(packet, out var error, out _);
                    throw new InvalidOperationException($"TFTP error {(int)error.Code}: {error.Message}");
                case TftpOpcode.Data:
                    TftpData.TryRead(packet, out var block, out var payload, out _);
                    if (block != (ushort)expected)
                    {
                        Ack((ushort)(expected - 1)); // out of order: ask for the window again from there
                        continue;
                    }
                    data.Write(payload);
                    if (payload.Length < blockSize)
                    {
                        Ack(block);
                        return data.ToArray();
                    }
                    if (expected % window == 0) Ack(block);
                    expected++;
                    continue;
                default:
                    throw new InvalidOperationException($"unexpected opcode {opcode}");
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
