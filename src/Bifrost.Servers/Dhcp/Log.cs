using System.Net;
using Microsoft.Extensions.Logging;

namespace Bifrost.Servers.Dhcp;

internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Information, "DHCP ({Mode}) listening on {Interface} ports {Ports}, advertising {Advertise}, boot URL {BootUrl}")]
    public static partial void Listening(ILogger logger, DhcpMode mode, string @interface, string ports, IPAddress advertise, string bootUrl);

    [LoggerMessage(4001, LogLevel.Debug, "DHCP: dropped {Bytes} bytes from {From}: {Error}")]
    public static partial void Malformed(ILogger logger, int bytes, IPEndPoint from, string? error);

    [LoggerMessage(4002, LogLevel.Debug, "DHCP {Mac} xid {Xid:x8}: {Summary}")]
    public static partial void Exchange(ILogger logger, string mac, uint xid, string summary);

    [LoggerMessage(4003, LogLevel.Warning, "DHCP: could not handle a packet from {From}")]
    public static partial void HandlerFailed(ILogger logger, Exception e, IPEndPoint from);

    [LoggerMessage(4004, LogLevel.Warning, "DHCP: could not send to {To}")]
    public static partial void SendFailed(ILogger logger, Exception e, IPEndPoint to);

    [LoggerMessage(4005, LogLevel.Warning, "DHCP: could not persist the lease of {Address}")]
    public static partial void PersistFailed(ILogger logger, Exception e, string address);

    [LoggerMessage(4006, LogLevel.Information, "DHCP: loaded {Count} leases from the store")]
    public static partial void Loaded(ILogger logger, int count);

    [LoggerMessage(4007, LogLevel.Warning, "DHCP: could not look up {Mac} in the node store; treating it as unknown")]
    public static partial void LookupFailed(ILogger logger, Exception e, string mac);

    [LoggerMessage(4008, LogLevel.Error, "DHCP: the socket on port {Port} failed; the DHCP service stops")]
    public static partial void SocketFailed(ILogger logger, Exception e, int port);
}
