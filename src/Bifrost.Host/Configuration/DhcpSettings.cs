using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Bifrost.Servers.Dhcp;
using Microsoft.Extensions.Configuration;

namespace Bifrost.Host.Configuration;

/// <summary>
/// Reads and checks <c>Bifrost:Dhcp:*</c>. Values are checked for form whatever the mode; what a mode needs
/// (an interface; in full mode a subnet and a range inside it) only when that mode is on.
/// </summary>
internal static class DhcpSettings
{
    public static DhcpServerOptions Read(IConfigurationSection bifrost)
    {
        var s = bifrost.GetSection("Dhcp");
        string? Text(string key) => s[key] is { } v && v.Trim().Length > 0 ? v.Trim() : null;

        var modeText = Text("Mode") ?? "off";
        var mode = modeText.ToLowerInvariant() switch
        {
            "off" => DhcpMode.Off,
            "full" => DhcpMode.Full,
            "proxy" => DhcpMode.Proxy,
            _ => throw new ConfigError($"Bifrost:Dhcp:Mode = '{modeText}' must be off, full or proxy"),
        };

        var iface = Text("Interface");
        (IPAddress Network, int Prefix)? subnet = Text("Subnet") is { } cidr ? Cidr(cidr) : null;
        var start = Address(Text("RangeStart"), "RangeStart");
        var end = Address(Text("RangeEnd"), "RangeEnd");
        var router = Address(Text("Router"), "Router");
        var dns = (Text("Dns") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => Address(d, "Dns")!).ToList();
        var lease = Text("LeaseTime") is { } l
            ? double.TryParse(l, NumberStyles.Float, CultureInfo.InvariantCulture, out var secs) && secs >= 60 && secs < uint.MaxValue
                ? TimeSpan.FromSeconds(secs)
                : throw new ConfigError($"Bifrost:Dhcp:LeaseTime = '{l}' must be a number of seconds, at least 60")
            : TimeSpan.FromHours(1);
        var serveUnknown = Text("ServeUnknown") is { } su
            ? bool.TryParse(su, out var b) ? b : throw new ConfigError($"Bifrost:Dhcp:ServeUnknown = '{su}' must be true or false")
            : true;
        var uefi = Text("UefiBootFile") ?? "ipxe.efi";
        if (uefi is not ("ipxe.efi" or "snponly.efi"))
            throw new ConfigError($"Bifrost:Dhcp:UefiBootFile = '{uefi}' must be ipxe.efi or snponly.efi");
        var arm64 = Text("Arm64BootFile");
        if (arm64 is not null && (arm64.Contains('/', StringComparison.Ordinal) || arm64.Contains("..", StringComparison.Ordinal)))
            throw new ConfigError($"Bifrost:Dhcp:Arm64BootFile = '{arm64}' must be a file name in the TFTP root");
        var bootPort = Text("BootPort") is { } bp
            ? int.TryParse(bp, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536
                ? p
                : throw new ConfigError($"Bifrost:Dhcp:BootPort = '{bp}' must be a port number (1-65535)")
            : 8080;
        var bootUrl = Text("BootUrl") is { } bu
            ? Uri.TryCreate(bu, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"
                ? u
                : throw new ConfigError($"Bifrost:Dhcp:BootUrl = '{bu}' must be an absolute http:// URL")
            : null;

        var options = new DhcpServerOptions
        {
            Mode = mode,
            Interface = iface,
            Network = subnet?.Network,
            PrefixLength = subnet?.Prefix ?? 0,
            RangeStart = start,
            RangeEnd = end,
            Router = router,
            Dns = dns,
            Domain = Text("Domain"),
            LeaseTime = lease,
            ServeUnknown = serveUnknown,
            UefiBootFile = uefi,
            Arm64BootFile = arm64,
            Advertise = Address(Text("Advertise"), "Advertise"),
            BootPort = bootPort,
            BootUrl = bootUrl,
            TftpServer = Address(Text("TftpServer"), "TftpServer"),
        };
        if (mode == DhcpMode.Off) return options;

        if (iface is null)
            throw new ConfigError($"Bifrost:Dhcp:Interface is required when Bifrost:Dhcp:Mode is {modeText} (DHCP only ever answers on one named interface)");
        if (mode == DhcpMode.Full)
        {
            if (subnet is not { } net) throw new ConfigError("Bifrost:Dhcp:Subnet is required in full mode (e.g. 10.0.0.0/24)");
            if (start is null) throw new ConfigError("Bifrost:Dhcp:RangeStart is required in full mode");
            if (end is null) throw new ConfigError("Bifrost:Dhcp:RangeEnd is required in full mode");
            InSubnet(start, net, "RangeStart");
            InSubnet(end, net, "RangeEnd");
            if (Value(end) < Value(start))
                throw new ConfigError($"Bifrost:Dhcp:RangeEnd = '{end}' is before Bifrost:Dhcp:RangeStart = '{start}'");
            if (router is not null) InSubnet(router, net, "Router");
        }
        return options;
    }

    private static IPAddress? Address(string? text, string key)
    {
        if (text is null) return null;
        return IPAddress.TryParse(text, out var a) && a.AddressFamily == AddressFamily.InterNetwork && text.Count(c => c == '.') == 3
            ? a
            : throw new ConfigError($"Bifrost:Dhcp:{key} = '{text}' is not an IPv4 address");
    }

    private static (IPAddress, int) Cidr(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
            || prefix is < 8 or > 30)
            throw new ConfigError($"Bifrost:Dhcp:Subnet = '{text}' must be an IPv4 network in CIDR form with a prefix of 8-30 (e.g. 10.0.0.0/24)");
        var network = Address(text[..slash], "Subnet")!;
        var mask = uint.MaxValue << (32 - prefix);
        if ((Value(network) & ~mask) != 0)
            throw new ConfigError($"Bifrost:Dhcp:Subnet = '{text}' has host bits set (did you mean {FromValue(Value(network) & mask)}/{prefix}?)");
        return (network, prefix);
    }

    private static void InSubnet(IPAddress address, (IPAddress Network, int Prefix) net, string key)
    {
        var mask = uint.MaxValue << (32 - net.Prefix);
        var v = Value(address);
        if ((v & mask) != Value(net.Network))
            throw new ConfigError($"Bifrost:Dhcp:{key} = '{address}' is outside Bifrost:Dhcp:Subnet {net.Network}/{net.Prefix}");
        if (key.StartsWith("Range", StringComparison.Ordinal) && ((v & ~mask) == 0 || (v & ~mask) == ~mask))
            throw new ConfigError($"Bifrost:Dhcp:{key} = '{address}' is the network or broadcast address of {net.Network}/{net.Prefix}");
    }

    private static uint Value(IPAddress a) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(a.GetAddressBytes());

    private static IPAddress FromValue(uint v) => new(new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v });
}
