namespace Bifrost.Protocols.Dhcp;

/// <summary>The option codes Bifrost reads or writes (RFC 2132 unless noted). Wire values.</summary>
public static class DhcpOptionCode
{
    public const byte Pad = 0;
    public const byte SubnetMask = 1;
    public const byte Router = 3;
    public const byte DomainNameServer = 6;
    public const byte HostName = 12;
    public const byte DomainName = 15;
    public const byte BroadcastAddress = 28;
    /// <summary>Vendor-specific information; for PXE clients the PXE sub-options (PXE 2.1 §2.4).</summary>
    public const byte VendorSpecific = 43;
    public const byte RequestedIpAddress = 50;
    public const byte LeaseTime = 51;
    /// <summary>§9.3: 1 = 'file' holds options, 2 = 'sname' holds options, 3 = both.</summary>
    public const byte Overload = 52;
    public const byte MessageType = 53;
    public const byte ServerIdentifier = 54;
    public const byte ParameterRequestList = 55;
    public const byte Message = 56;
    public const byte MaxMessageSize = 57;
    public const byte RenewalTime = 58;
    public const byte RebindingTime = 59;
    public const byte VendorClassIdentifier = 60;
    public const byte ClientIdentifier = 61;
    public const byte TftpServerName = 66;
    public const byte BootfileName = 67;
    /// <summary>RFC 3004 user class; iPXE sends the bare string "iPXE" instead of RFC 3004's length-prefixed list.</summary>
    public const byte UserClass = 77;
    /// <summary>RFC 3046 relay agent information: echoed back unchanged in replies to a relay.</summary>
    public const byte RelayAgentInformation = 82;
    /// <summary>RFC 4578 §2.1 client system architecture (list of 16-bit types).</summary>
    public const byte ClientSystemArchitecture = 93;
    /// <summary>RFC 4578 §2.2 client network interface identifier (type, major, minor).</summary>
    public const byte ClientNetworkInterface = 94;
    /// <summary>RFC 4578 §2.3 client machine identifier (type 0 + 16-byte UUID).</summary>
    public const byte ClientMachineIdentifier = 97;
    /// <summary>iPXE's encapsulated options (https://ipxe.org/howto/dhcpd); 175.176 = no-pxedhcp.</summary>
    public const byte IpxeEncapsulated = 175;
    public const byte End = 255;
}
