using System.Net;
using Bifrost.Protocols.Tftp;

namespace Bifrost.Servers.Tftp;

public sealed record TftpServerOptions
{
    /// <summary>Address and port of the request socket (69 in production).</summary>
    public required IPEndPoint Listen { get; init; }
    /// <summary>The directory served (<c>StateDir/tftp</c>).</summary>
    public required string Root { get; init; }
    public TftpLimits Limits { get; init; } = new();
    /// <summary>Retransmissions of one window (or OACK) without progress before the transfer is abandoned.</summary>
    public int MaxRetries { get; init; } = 5;
    /// <summary>Transfers at once; requests beyond get ERROR 0 "busy" instead of starving the running ones.</summary>
    public int MaxTransfers { get; init; } = 1000;
    /// <summary>
    /// Event-loop threads the transfers are spread over, each running many (<see cref="TftpEventLoop"/>): one per CPU,
    /// at most 4. In bench/tftp on two CPUs, two loops served 100 client processes 1.1-1.3× as fast as dnsmasq's one
    /// loop (one loop: at par); only a single client process that drives all 100 downloads did better with one loop,
    /// as the second took CPU from it.
    /// </summary>
    public int TransferThreads { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 4);
}
