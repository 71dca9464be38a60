using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Bifrost.Protocols.Dhcp;

/// <summary>RFC 4578 §2.1 client system architecture types (IANA "Processor Architecture Types"). Wire values.</summary>
public enum ClientArch : ushort
{
    X86Bios = 0,
    X86Uefi = 6,
    X64Uefi = 7,
    EbcUefi = 9,
    Arm64Uefi = 11,
    X86UefiHttp = 15,
    X64UefiHttp = 16,
    Arm64UefiHttp = 19,
}

/// <summary>
/// What a request says about the booting client: PXE (option 60 'PXEClient…', 93, 94, 97), UEFI HTTP boot (60
/// 'HTTPClient…'), iPXE (77 'iPXE'). Reads what real firmware sends, not only what the RFCs allow.
/// </summary>
public sealed record PxeClient
{
    /// <summary>Option 60 as sent, or null.</summary>
    public string? VendorClass { get; init; }
    /// <summary>The first type of option 93; from the vendor class 'Arch:xxxxx' field when 93 is missing; else null.</summary>
    public ClientArch? Arch { get; init; }
    /// <summary>Option 77's classes; iPXE's bare "iPXE" is one class.</summary>
    public IReadOnlyList<string> UserClasses { get; init; } = [];
    /// <summary>Option 97 as sent (type byte + UUID), echoed in PXE replies; null when absent.</summary>
    public byte[]? MachineId { get; init; }
    /// <summary>Option 94 as sent (type, major, minor), or null.</summary>
    public byte[]? NetworkInterface { get; init; }

    public bool IsPxe => VendorClass?.StartsWith("PXEClient", StringComparison.Ordinal) == true;
    public bool IsHttpBoot => VendorClass?.StartsWith("HTTPClient", StringComparison.Ordinal) == true
                              || Arch is ClientArch.X64UefiHttp or ClientArch.X86UefiHttp or ClientArch.Arm64UefiHttp;
    public bool IsIpxe => UserClasses.Contains("iPXE", StringComparer.Ordinal);
    /// <summary>A client that wants boot information at all.</summary>
    public bool IsNetboot => IsPxe || IsHttpBoot || IsIpxe || Arch is not null;

    public static PxeClient From(DhcpOptions options)
    {
        var vendor = options.GetString(DhcpOptionCode.VendorClassIdentifier);
        ClientArch? arch = null;
        // RFC 4578 §2.1: a list of 16-bit types; the first is the one the client runs now.
        if (options.Get(DhcpOptionCode.ClientSystemArchitecture) is { Length: >= 2 } a)
            arch = (ClientArch)BinaryPrimitives.ReadUInt16BigEndian(a);
        else if (vendor is not null && ArchFromVendorClass(vendor) is { } v)
            arch = v; // some PXE ROMs omit option 93 but keep "PXEClient:Arch:00000:UNDI:002001"
        return new PxeClient
        {
            VendorClass = vendor,
            Arch = arch,
            UserClasses = ReadUserClasses(options.Get(DhcpOptionCode.UserClass)),
            MachineId = options.Get(DhcpOptionCode.ClientMachineIdentifier),
            NetworkInterface = options.Get(DhcpOptionCode.ClientNetworkInterface),
        };
    }

    private static ClientArch? ArchFromVendorClass(string vendor)
    {
        const string marker = ":Arch:";
        var at = vendor.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0 || vendor.Length < at + marker.Length + 5) return null;
        return ushort.TryParse(vendor.AsSpan(at + marker.Length, 5), NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? (ClientArch)v
            : null;
    }

    /// <summary>
    /// RFC 3004 §4: a list of (length, data) classes. iPXE (and dhclient's 'user-class "x"') send one bare string
    /// instead; a value that does not parse exactly as RFC 3004 is taken as one bare class.
    /// </summary>
    private static string[] ReadUserClasses(byte[]? value)
    {
        if (value is null || value.Length == 0) return [];
        var classes = new List<string>();
        var at = 0;
        while (at < value.Length)
        {
            var length = value[at];
            if (length == 0 || at + 1 + length > value.Length) return [Encoding.ASCII.GetString(value)];
            classes.Add(Encoding.ASCII.GetString(value, at + 1, length));
            at += 1 /* length */ + length;
        }
        // "iPXE" is 69 'i' 50 'P'...: as RFC 3004 it parses as a class of length 105 and fails above, so the bare
        // reading wins; a value that happens to parse both ways keeps both readings.
        classes.Add(Encoding.ASCII.GetString(value));
        return [.. classes];
    }
}
