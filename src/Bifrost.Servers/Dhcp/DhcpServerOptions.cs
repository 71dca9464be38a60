using System.Net;

namespace Bifrost.Servers.Dhcp;

public enum DhcpMode
{
    /// <summary>No DHCP socket at all (the default: Bifrost on a laptop never answers the office network).</summary>
    Off,
    /// <summary>Authoritative for one subnet: addresses, options and boot information.</summary>
    Full,
    /// <summary>ProxyDHCP next to the site's DHCP server: boot information only, on 67 and 4011.</summary>
    Proxy,
}

/// <summary>The <c>Bifrost:Dhcp:*</c> settings, checked by the host's configuration reader.</summary>
public sealed record DhcpServerOptions
{
    public DhcpMode Mode { get; init; } = DhcpMode.Off;
    /// <summary>The interface to bind to (SO_BINDTODEVICE); required unless <see cref="Mode"/> is off.</summary>
    public string? Interface { get; init; }
    /// <summary>The served subnet's network address (full mode).</summary>
    public IPAddress? Network { get; init; }
    public int PrefixLength { get; init; }
    public IPAddress? RangeStart { get; init; }
    public IPAddress? RangeEnd { get; init; }
    public IPAddress? Router { get; init; }
    public IReadOnlyList<IPAddress> Dns { get; init; } = [];
    public string? Domain { get; init; }
    public TimeSpan LeaseTime { get; init; } = TimeSpan.FromHours(1);
    /// <summary>Answer MACs that are no node's port. False: only enrolled nodes get answers.</summary>
    public bool ServeUnknown { get; init; } = true;
    /// <summary>The NBP for x64 UEFI (arch 7 and 9): ipxe.efi or snponly.efi.</summary>
    public string UefiBootFile { get; init; } = "ipxe.efi";
    /// <summary>The NBP for arm64 UEFI (arch 11), when such a file exists in the TFTP root; null: no boot answer.</summary>
    public string? Arm64BootFile { get; init; }
    /// <summary>The address given to clients as server identifier and next-server; null: the interface's own IPv4.</summary>
    public IPAddress? Advertise { get; init; }
    /// <summary>Port of the HTTP boot server, used to build the boot URL from the advertised address.</summary>
    public int BootPort { get; init; } = 8080;
    /// <summary>The HTTP boot base URL (e.g. http://10.0.0.1:8080); null: http://advertise:BootPort.</summary>
    public Uri? BootUrl { get; init; }
    /// <summary>The TFTP server's address given as next-server; null: the advertised address.</summary>
    public IPAddress? TftpServer { get; init; }
}
