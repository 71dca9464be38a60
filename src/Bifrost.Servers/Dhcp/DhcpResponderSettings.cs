using System.Net;

namespace Bifrost.Servers.Dhcp;

/// <summary>The responder's inputs, resolved at start (the advertised address known, the boot URL built).</summary>
public sealed record DhcpResponderSettings
{
    /// <summary>Where UEFI HTTP boot fetches the EFI iPXE: the TFTP root as served by the HTTP boot server.</summary>
    public const string HttpBootPath = "/tftp/";

    public required DhcpMode Mode { get; init; }
    /// <summary>Option 54 and, by default, next-server.</summary>
    public required IPAddress ServerIdentifier { get; init; }
    /// <summary>siaddr: the TFTP server.</summary>
    public required IPAddress NextServer { get; init; }
    /// <summary>http://host:port without a trailing slash.</summary>
    public required string BootBaseUrl { get; init; }
    public IPAddress? Network { get; init; }
    public int PrefixLength { get; init; }
    public IPAddress? Router { get; init; }
    public IReadOnlyList<IPAddress> Dns { get; init; } = [];
    public string? Domain { get; init; }
    public TimeSpan LeaseTime { get; init; } = TimeSpan.FromHours(1);
    public bool ServeUnknown { get; init; } = true;
    public string UefiBootFile { get; init; } = "ipxe.efi";
    public string? Arm64BootFile { get; init; }

    public IPAddress SubnetMask => LeaseTable.ToAddress(PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength));

    public bool InSubnet(IPAddress address) =>
        Network is not null && PrefixLength > 0
        && (LeaseTable.ToUInt(address) & LeaseTable.ToUInt(SubnetMask)) == LeaseTable.ToUInt(Network);
}
