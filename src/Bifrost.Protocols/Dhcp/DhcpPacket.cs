using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Bifrost.Protocols.Dhcp;

/// <summary>
/// RFC 2131 §2 BOOTP/DHCP message: the 236-byte fixed header, the magic cookie (RFC 2132 §2) and the options, with
/// option overload (RFC 2132 §9.3, option 52) and long options (RFC 3396) on both read and write.
/// </summary>
public sealed class DhcpPacket
{
    /// <summary>op..file: the fixed BOOTP header (RFC 951) before the options field.</summary>
    public const int HeaderLength = 236;
    /// <summary>RFC 2132 §2: 99.130.83.99 starts the options field.</summary>
    public const uint MagicCookie = 0x63825363;
    /// <summary>RFC 1542 §3.3 / RFC 951: some BOOTP relays and old ROMs drop replies shorter than 300 bytes.</summary>
    public const int MinimumLength = 300;
    /// <summary>RFC 2131 §2: every client must accept 576-byte messages; larger only when option 57 says so.</summary>
    public const int DefaultMaxLength = 576;
    private const int SnameOffset = 44, SnameLength = 64, FileOffset = 108, FileLength = 128;

    public BootpOp Op { get; set; } = BootpOp.BootRequest;
    public byte HardwareType { get; set; } = 1;
    public byte HardwareLength { get; set; } = 6;
    public byte Hops { get; set; }
    public uint TransactionId { get; set; }
    public ushort Seconds { get; set; }
    /// <summary>RFC 2131 §2 figure 2: only the leftmost bit (broadcast) is defined.</summary>
    public ushort Flags { get; set; }
    public IPAddress ClientAddress { get; set; } = IPAddress.Any;
    public IPAddress YourAddress { get; set; } = IPAddress.Any;
    public IPAddress ServerAddress { get; set; } = IPAddress.Any;
    public IPAddress GatewayAddress { get; set; } = IPAddress.Any;
    /// <summary>chaddr: always 16 bytes; the first <see cref="HardwareLength"/> are the address.</summary>
    public byte[] ClientHardwareAddress { get; set; } = new byte[16];
    /// <summary>sname as text; empty when the field carried options (overload).</summary>
    public string ServerName { get; set; } = "";
    /// <summary>file as text; empty when the field carried options (overload).</summary>
    public string BootFile { get; set; } = "";
    public DhcpOptions Options { get; } = new();

    public const ushort BroadcastFlag = 0x8000;

    public bool Broadcast
    {
        get => (Flags & BroadcastFlag) != 0;
        set => Flags = value ? (ushort)(Flags | BroadcastFlag) : (ushort)(Flags & ~BroadcastFlag);
    }

    public DhcpMessageType? MessageType => Options.MessageType;

    /// <summary>The client MAC as aa:bb:cc:dd:ee:ff (lower case), or null when chaddr is not a 6-byte Ethernet address.</summary>
    public string? ClientMac => HardwareType == 1 && HardwareLength == 6 ? FormatMac(ClientHardwareAddress) : null;

    /// <summary>aa:bb:cc:dd:ee:ff (lower case) of the first six bytes.</summary>
    public static string FormatMac(ReadOnlySpan<byte> mac) => string.Create(17, mac[..6].ToArray(), static (chars, bytes) =>
    {
        const string hex = "0123456789abcdef";
        for (var i = 0; i < 6; i++)
        {
            chars[i * 3] = hex[bytes[i] >> 4];
            chars[i * 3 + 1] = hex[bytes[i] & 0xf];
            if (i < 5) chars[i * 3 + 2] = ':';
        }
    });

    /// <summary>
    /// Decodes a message. False with an error for anything shorter than header + cookie, a wrong cookie, an option
    /// running past its field or an overloaded field that is malformed. A missing end option is tolerated.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out DhcpPacket packet, out string? error)
    {
        packet = new DhcpPacket();
        if (source.Length < HeaderLength + 4 /* magic cookie */)
        {
            error = $"{source.Length} bytes is shorter than the {HeaderLength + 4}-byte header and cookie";
            return false;
        }
        if (BinaryPrimitives.ReadUInt32BigEndian(source[HeaderLength..]) != MagicCookie)
        {
            error = "no DHCP magic cookie (plain BOOTP or not DHCP)";
            return false;
        }
        if (source[0] is not ((byte)BootpOp.BootRequest or (byte)BootpOp.BootReply))
        {
            error = $"op {source[0]} is neither BOOTREQUEST nor BOOTREPLY";
            return false;
        }
        if (source[2] > 16)
        {
            error = $"hlen {source[2]} is longer than chaddr's 16 bytes";
            return false;
        }

        packet.Op = (BootpOp)source[0];
        packet.HardwareType = source[1];
        packet.HardwareLength = source[2];
        packet.Hops = source[3];
        packet.TransactionId = BinaryPrimitives.ReadUInt32BigEndian(source[4..]);
        packet.Seconds = BinaryPrimitives.ReadUInt16BigEndian(source[8..]);
        packet.Flags = BinaryPrimitives.ReadUInt16BigEndian(source[10..]);
        packet.ClientAddress = new IPAddress(source.Slice(12, 4));
        packet.YourAddress = new IPAddress(source.Slice(16, 4));
        packet.ServerAddress = new IPAddress(source.Slice(20, 4));
        packet.GatewayAddress = new IPAddress(source.Slice(24, 4));
        packet.ClientHardwareAddress = source.Slice(28, 16).ToArray();

        var sname = source.Slice(SnameOffset, SnameLength);
        var file = source.Slice(FileOffset, FileLength);
        if (!DhcpOptions.TryReadRegion(source[(HeaderLength + 4)..], packet.Options, out error)) return false;

        // RFC 2131 §4.1: with overload, the options continue in 'file' first, then 'sname'.
        var overload = packet.Options.GetByte(DhcpOptionCode.Overload) ?? 0;
        if ((overload & 1) != 0 && !DhcpOptions.TryReadRegion(file, packet.Options, out error))
        {
            error = "overloaded file field: " + error;
            return false;
        }
        if ((overload & 2) != 0 && !DhcpOptions.TryReadRegion(sname, packet.Options, out error))
        {
            error = "overloaded sname field: " + error;
            return false;
        }
        packet.BootFile = (overload & 1) != 0 ? "" : Text(file);
        packet.ServerName = (overload & 2) != 0 ? "" : Text(sname);
        error = null;
        return true;
    }

    /// <summary>
    /// Bytes <see cref="Write"/> produces: at least <see cref="MinimumLength"/>; more than <paramref name="maxLength"/>
    /// only if the options do not fit even with the file and sname fields overloaded.
    /// </summary>
    public int GetEncodedLength(int maxLength = DefaultMaxLength) => Layout(maxLength).Length;

    /// <summary>
    /// Encodes the message. Options that do not fit in <paramref name="maxLength"/> (option 57 or 576) spill into
    /// 'file' and then 'sname' with option 52 (when those fields are empty); the result is zero-padded to 300 bytes.
    /// </summary>
    public int Write(Span<byte> destination, int maxLength = DefaultMaxLength)
    {
        var layout = Layout(maxLength);
        var d = destination[..layout.Length];
        d.Clear();
        d[0] = (byte)Op;
        d[1] = HardwareType;
        d[2] = HardwareLength;
        d[3] = Hops;
        BinaryPrimitives.WriteUInt32BigEndian(d[4..], TransactionId);
        BinaryPrimitives.WriteUInt16BigEndian(d[8..], Seconds);
        BinaryPrimitives.WriteUInt16BigEndian(d[10..], Flags);
        WriteAddress(d[12..], ClientAddress);
        WriteAddress(d[16..], YourAddress);
        WriteAddress(d[20..], ServerAddress);
        WriteAddress(d[24..], GatewayAddress);
        ClientHardwareAddress.AsSpan(0, Math.Min(16, ClientHardwareAddress.Length)).CopyTo(d[28..]);
        BinaryPrimitives.WriteUInt32BigEndian(d[HeaderLength..], MagicCookie);

        if (layout.Overload == 0)
        {
            WriteText(d.Slice(SnameOffset, SnameLength), ServerName);
            WriteText(d.Slice(FileOffset, FileLength), BootFile);
            var at = HeaderLength + 4 + Options.Write(d[(HeaderLength + 4)..]);
            d[at] = DhcpOptionCode.End;
            return layout.Length;
        }

        var main = d[(HeaderLength + 4)..];
        var m = WriteInstances(main, layout.Main);
        main[m++] = DhcpOptionCode.Overload;
        main[m++] = 1;
        main[m++] = layout.Overload;
        main[m] = DhcpOptionCode.End;
        if ((layout.Overload & 1) != 0)
            d[FileOffset + WriteInstances(d.Slice(FileOffset, FileLength), layout.File)] = DhcpOptionCode.End;
        if ((layout.Overload & 2) != 0)
            d[SnameOffset + WriteInstances(d.Slice(SnameOffset, SnameLength), layout.Sname)] = DhcpOptionCode.End;
        return layout.Length;
    }

    private readonly record struct Instance(byte Code, byte[] Value, int Offset, int Length)
    {
        public int Size => 2 /* code + length */ + Length;
    }

    private sealed record PacketLayout(int Length, byte Overload, List<Instance> Main, List<Instance> File, List<Instance> Sname);

    private PacketLayout Layout(int maxLength)
    {
        var optionsLength = Options.GetEncodedLength();
        var plain = HeaderLength + 4 /* cookie */ + optionsLength + 1 /* end */;
        var canOverload = BootFile.Length == 0 && ServerName.Length == 0;
        if (plain <= Math.Max(maxLength, MinimumLength) || !canOverload)
            return new PacketLayout(Math.Max(plain, MinimumLength), 0, [], [], []);

        // RFC 3396 §6: a long option may be split across instances, and instances may sit in different fields.
        var instances = new List<Instance>();
        foreach (var (code, value) in Options.Items)
        {
            var offset = 0;
            do
            {
                var chunk = Math.Min(255, value.Length - offset);
                instances.Add(new Instance(code, value, offset, chunk));
                offset += chunk;
            } while (offset < value.Length);
        }

        var mainSpace = Math.Max(maxLength, MinimumLength) - HeaderLength - 4 /* cookie */ - 3 /* option 52 */ - 1 /* end */;
        List<Instance> main = [], file = [], sname = [];
        int used = 0, fileUsed = 0, snameUsed = 0;
        foreach (var instance in instances)
        {
            if (used + instance.Size <= mainSpace) { main.Add(instance); used += instance.Size; }
            else if (fileUsed + instance.Size <= FileLength - 1 /* end */) { file.Add(instance); fileUsed += instance.Size; }
            else if (snameUsed + instance.Size <= SnameLength - 1 /* end */) { sname.Add(instance); snameUsed += instance.Size; }
            else { main.Add(instance); used += instance.Size; } // does not fit anywhere: grow past maxLength
        }
        var overload = (byte)((file.Count > 0 ? 1 : 0) | (sname.Count > 0 ? 2 : 0));
        var length = HeaderLength + 4 /* cookie */ + used + 3 /* option 52 */ + 1 /* end */;
        return new PacketLayout(Math.Max(length, MinimumLength), overload, main, file, sname);
    }

    private static int WriteInstances(Span<byte> destination, List<Instance> instances)
    {
        var at = 0;
        foreach (var i in instances)
        {
            destination[at++] = i.Code;
            destination[at++] = (byte)i.Length;
            i.Value.AsSpan(i.Offset, i.Length).CopyTo(destination[at..]);
            at += i.Length;
        }
        return at;
    }

    private static void WriteAddress(Span<byte> destination, IPAddress address)
    {
        if (!address.TryWriteBytes(destination[..4], out var written) || written != 4)
            throw new ArgumentException($"{address} is not an IPv4 address", nameof(address));
    }

    private static void WriteText(Span<byte> field, string text)
    {
        // Leave at least one NUL: the fields are NUL-terminated strings (RFC 2131 §2).
        var bytes = Encoding.ASCII.GetBytes(text);
        if (bytes.Length >= field.Length)
            throw new ArgumentException($"'{text}' does not fit the {field.Length}-byte field", nameof(text));
        bytes.CopyTo(field);
    }

    private static string Text(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? field : field[..end]);
    }
}
