using System.Net;
using System.Net.Sockets;

namespace Bifrost.Bmc.Ipmi;

/// <summary>Moves datagrams to and from one BMC. The session logic sits on top, so tests can feed it bytes.</summary>
public interface IBmcTransport : IDisposable
{
    ValueTask SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken ct);

    /// <summary>The next datagram from the BMC; cancellation is how a caller times out.</summary>
    ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken ct);
}

/// <summary>
/// One connected UDP socket per BMC session: the kernel drops datagrams from anyone but the BMC, and no demux is
/// needed. A socket is a few hundred bytes of kernel memory, so 1,000 BMCs cost 1,000 file descriptors, which .NET
/// allows (it raises the soft RLIMIT_NOFILE to the hard limit at start-up).
/// </summary>
public sealed class UdpBmcTransport : IBmcTransport
{
    private readonly Socket _socket;

    public UdpBmcTransport(IPEndPoint bmc)
    {
        _socket = new Socket(bmc.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Connect(bmc);
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken ct)
    {
        try
        {
            await _socket.SendAsync(datagram, SocketFlags.None, ct);
        }
        catch (SocketException)
        {
            // ICMP errors from an earlier datagram surface here; a lost send is a lost packet, retried by the caller.
        }
    }

    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return await _socket.ReceiveAsync(buffer, SocketFlags.None, ct);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
            {
                // Port unreachable: nothing listens (a stopped BMC). Keep waiting: the caller's timeout decides.
                await Task.Delay(50, ct);
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
