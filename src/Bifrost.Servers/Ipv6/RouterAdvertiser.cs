using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Bifrost.Protocols.Icmpv6;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bifrost.Servers.Ipv6;

/// <summary>
/// Answers IPv6 router solicitations on the DHCP interface with one router advertisement of lifetime 0 (RFC 4861
/// §6.2.3: "not a default router"), no prefix and no M/O flags. iPXE's <c>dhcp</c> waits for IPv6 autoconfiguration
/// as well as DHCPv4 and gives up on IPv6 only after ~13 s without an advertisement (LAB.md); this answer ends that
/// wait at once on every PXE boot, and tells other hosts nothing but "no IPv6 router here".
/// Off unless DHCP is on and <c>Bifrost:Dhcp:RouterAdvertisement</c> is true (the default in full mode).
/// </summary>
public sealed partial class RouterAdvertiser(string interfaceName, ILogger<RouterAdvertiser> log) : BackgroundService
{
    private static readonly IPAddress AllRouters = IPAddress.Parse("ff02::2");
    private static readonly IPAddress AllNodes = IPAddress.Parse("ff02::1");
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the socket is bound and listening (faults when it cannot be).</summary>
    public Task Ready => _ready.Task;

    /// <summary>Advertisements sent since start (for tests and the log).</summary>
    public long Sent => Interlocked.Read(ref _sent);
    private long _sent;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Socket socket;
        int index;
        byte[] mac;
        try
        {
            var nic = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == interfaceName)
                ?? throw new InvalidOperationException($"Bifrost:Dhcp:Interface: there is no interface '{interfaceName}'");
            index = nic.GetIPProperties().GetIPv6Properties().Index;
            mac = nic.GetPhysicalAddress().GetAddressBytes();
            socket = Open(index, interfaceName);
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException or NetworkInformationException)
        {
            // IPv6 off on this host or interface: DHCPv4 still works; iPXE only waits longer.
            Log.Unavailable(log, interfaceName, e.Message);
            _ready.TrySetException(e);
            return;
        }

        using (socket)
        {
            Log.Listening(log, interfaceName);
            _ready.TrySetResult();
            var answer = new byte[64];
            var length = new RouterAdvertisement { SourceLinkLayerAddress = mac.Length == 6 ? mac : null }.Write(answer);
            var buffer = new byte[1500];
            while (!stoppingToken.IsCancellationRequested)
            {
                SocketReceiveFromResult received;
                try
                {
                    received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.IPv6Any, 0), stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (SocketException e)
                {
                    Log.ReceiveFailed(log, e.Message);
                    continue;
                }
                var packet = buffer.AsSpan(0, received.ReceivedBytes);
                // The raw socket sees every ICMPv6 message on the link (neighbour discovery, MLD, …): only RS count.
                if (packet.IsEmpty || packet[0] != RouterSolicitation.Type) continue;
                var from = (IPEndPoint)received.RemoteEndPoint;
                if (!RouterSolicitation.TryRead(packet, out _, out var error))
                {
                    Log.Malformed(log, from.Address, error!);
                    continue;
                }
                // §6.2.6: answer unicast to a solicitor with an address, else to all nodes.
                var to = from.Address.Equals(IPAddress.IPv6Any) ? new IPAddress(AllNodes.GetAddressBytes(), index) : from.Address;
                try
                {
                    await socket.SendToAsync(answer.AsMemory(0, length), new IPEndPoint(to, 0), stoppingToken);
                    Interlocked.Increment(ref _sent);
                    Log.Answered(log, from.Address);
                }
                catch (SocketException e)
                {
                    // E.g. the link-local address is still tentative (DAD) right after the interface came up.
                    Log.SendFailed(log, to, e.Message);
                }
            }
        }
    }

    private static Socket Open(int index, string name)
    {
        var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Raw, ProtocolType.IcmpV6);
        try
        {
            // RFC 4861 §6.1.2: router advertisements go out, and are only accepted, with hop limit 255.
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastTimeToLive, 255);
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.IpTimeToLive, 255);
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, index);
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastLoopback, false);
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, new IPv6MulticastOption(AllRouters, index));
            socket.Bind(new IPEndPoint(new IPAddress(IPAddress.IPv6Any.GetAddressBytes(), index), 0));
            BindToDevice(socket, name);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Solicitations from other interfaces are not ours: SO_BINDTODEVICE by name, as the DHCP socket does.</summary>
    private static void BindToDevice(Socket socket, string name)
    {
        const int SolSocket = 1, SoBindToDevice = 25;
        socket.SetRawSocketOption(SolSocket, SoBindToDevice, System.Text.Encoding.ASCII.GetBytes(name + "\0"));
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "IPv6 router advertisements (lifetime 0) answer solicitations on {Interface}")]
        public static partial void Listening(ILogger logger, string @interface);

        [LoggerMessage(Level = LogLevel.Warning, Message = "IPv6 router advertisements are off: cannot listen on {Interface}: {Reason} (iPXE waits ~13 s for IPv6 on each boot)")]
        public static partial void Unavailable(ILogger logger, string @interface, string reason);

        [LoggerMessage(Level = LogLevel.Debug, Message = "router solicitation from {From} answered (lifetime 0)")]
        public static partial void Answered(ILogger logger, IPAddress from);

        [LoggerMessage(Level = LogLevel.Debug, Message = "malformed router solicitation from {From} dropped: {Error}")]
        public static partial void Malformed(ILogger logger, IPAddress from, string error);

        [LoggerMessage(Level = LogLevel.Debug, Message = "ICMPv6 receive failed: {Reason}")]
        public static partial void ReceiveFailed(ILogger logger, string reason);

        [LoggerMessage(Level = LogLevel.Debug, Message = "router advertisement to {To} not sent: {Reason}")]
        public static partial void SendFailed(ILogger logger, IPAddress to, string reason);
    }
}
