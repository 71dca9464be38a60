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
}
