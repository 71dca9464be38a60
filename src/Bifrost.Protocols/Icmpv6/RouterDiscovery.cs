using System.Buffers.Binary;

namespace Bifrost.Protocols.Icmpv6;

/// <summary>
/// RFC 4861 §4.1 Router Solicitation, as read from a raw ICMPv6 socket (the kernel strips the IPv6 header):
/// type 133, code 0, checksum, 4 reserved bytes, then options (the Source Link-Layer Address option, type 1).
/// </summary>
public readonly record struct RouterSolicitation(byte[]? SourceLinkLayerAddress)
{
    public const byte Type = 133;
    private const int FixedLength = 8; // type + code + checksum (2) + reserved (4)

    /// <summary>RFC 4861 §6.1.1 checks that need no IP header: type, code 0, length ≥ 8, every option length &gt; 0.
    /// (Hop limit 255 is checked by the caller from the socket's ancillary data, when it has it.)</summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, out RouterSolicitation solicitation, out string? error)
    {
        solicitation = default;
        if (packet.Length < FixedLength) { error = $"{packet.Length} bytes: shorter than a router solicitation (8)"; return false; }
        if (packet[0] != Type) { error = $"ICMPv6 type {packet[0]}, not a router solicitation"; return false; }
        if (packet[1] != 0) { error = $"router solicitation with code {packet[1]} (must be 0)"; return false; }
        if (!NdpOption.TryReadSourceLinkLayer(packet[FixedLength..], out var sll, out error)) return false;
        solicitation = new RouterSolicitation(sll);
        error = null;
        return true;
    }
}

/// <summary>
/// RFC 4861 §4.2 Router Advertisement: type 134, code 0, checksum (0 here: Linux computes ICMPv6 checksums of raw
/// sockets itself, RFC 3542 §3.1), cur hop limit, flags M/O, router lifetime, reachable time, retrans timer, options.
/// Bifrost sends it only to end iPXE's IPv6 autoconfiguration quickly: router lifetime 0 ("not a default router",
/// §6.2.3), no M/O flags (no DHCPv6), no prefix: a client learns nothing but "no IPv6 configuration here".
/// </summary>
public sealed record RouterAdvertisement
{
    public const byte Type = 134;

    public byte CurHopLimit { get; init; }
    public bool Managed { get; init; }
    public bool OtherConfig { get; init; }
    public ushort RouterLifetimeSeconds { get; init; }
    /// <summary>The sender's MAC for the Source Link-Layer Address option (§4.6.1); null: no option.</summary>
    public byte[]? SourceLinkLayerAddress { get; init; }

    public int GetEncodedLength() =>
        16 /* type, code, checksum (2), hop limit, flags, lifetime (2), reachable (4), retrans (4) */
        + (SourceLinkLayerAddress is { } mac ? OptionLength(mac) : 0);

    public int Write(Span<byte> destination)
    {
        var length = GetEncodedLength();
        if (destination.Length < length) throw new ArgumentException($"needs {length} bytes", nameof(destination));
        destination[..length].Clear();
        destination[0] = Type;
        destination[1] = 0; // code
        // [2..4) checksum: filled in by the kernel.
        destination[4] = CurHopLimit;
        destination[5] = (byte)((Managed ? 0x80 : 0) | (OtherConfig ? 0x40 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], RouterLifetimeSeconds);
        // [8..12) reachable time and [12..16) retrans timer: 0 = unspecified by this router.
        if (SourceLinkLayerAddress is { } mac)
        {
            destination[16] = NdpOption.SourceLinkLayerAddress;
            destination[17] = (byte)(OptionLength(mac) / 8);
            mac.CopyTo(destination[18..]);
        }
        return length;
    }

    public static bool TryRead(ReadOnlySpan<byte> packet, out RouterAdvertisement advertisement, out string? error)
    {
        advertisement = new RouterAdvertisement();
        if (packet.Length < 16) { error = $"{packet.Length} bytes: shorter than a router advertisement (16)"; return false; }
        if (packet[0] != Type || packet[1] != 0) { error = $"ICMPv6 type {packet[0]} code {packet[1]}, not a router advertisement"; return false; }
        if (!NdpOption.TryReadSourceLinkLayer(packet[16..], out var sll, out error)) return false;
        advertisement = new RouterAdvertisement
        {
            CurHopLimit = packet[4],
            Managed = (packet[5] & 0x80) != 0,
            OtherConfig = (packet[5] & 0x40) != 0,
            RouterLifetimeSeconds = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]),
            SourceLinkLayerAddress = sll,
        };
        error = null;
        return true;
    }

    /// <summary>Type + length + address, padded to a multiple of 8 bytes (§4.6).</summary>
    private static int OptionLength(byte[] mac) => (2 + mac.Length + 7) / 8 * 8;
}

/// <summary>RFC 4861 §4.6 option types used here.</summary>
public static class NdpOption
{
    public const byte SourceLinkLayerAddress = 1;

    /// <summary>Walks an NDP message's options (RFC 4861 §4.6: type, length in units of 8 bytes and never 0, data) and
    /// returns the Source Link-Layer Address option's data, if present; false when an option is malformed.</summary>
    public static bool TryReadSourceLinkLayer(ReadOnlySpan<byte> options, out byte[]? address, out string? error)
    {
        address = null;
        while (!options.IsEmpty)
        {
            if (options.Length < 2 || options[1] == 0 || options[1] * 8 > options.Length)
            {
                error = "an option of length 0 or running past the packet";
                return false;
            }
            var length = options[1] * 8;
            if (options[0] == SourceLinkLayerAddress) address = options[2..length].ToArray();
            options = options[length..];
        }
        error = null;
        return true;
    }
}
