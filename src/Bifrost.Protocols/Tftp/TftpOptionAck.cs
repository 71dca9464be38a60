using System.Buffers.Binary;

namespace Bifrost.Protocols.Tftp;

/// <summary>RFC 2347 OACK: <c>opcode 6 | name 0 | value 0 | ...</c>, only the options the server accepted.</summary>
public sealed record TftpOptionAck(IReadOnlyList<KeyValuePair<string, string>> Options)
{
    public static bool TryRead(ReadOnlySpan<byte> src, out TftpOptionAck packet, out string? error)
    {
        packet = null!;
        if (src.Length < 2 || BinaryPrimitives.ReadUInt16BigEndian(src) != (ushort)TftpOpcode.OptionAck)
        {
            error = "not an OACK packet";
            return false;
        }
        var options = new List<KeyValuePair<string, string>>();
        var offset = 2;
        while (offset < src.Length)
        {
            if (!TftpWire.TryReadString(src, ref offset, out var name, out error)) return false;
            if (!TftpWire.TryReadString(src, ref offset, out var value, out error)) return false;
            options.Add(new(name, value));
        }
        packet = new TftpOptionAck(options);
        error = null;
        return true;
    }

    public int GetEncodedLength()
    {
        var length = 2 /* opcode */;
        foreach (var (name, value) in Options) length += TftpWire.StringLength(name) + TftpWire.StringLength(value);
        return length;
    }

    public int Write(Span<byte> dst)
    {
        BinaryPrimitives.WriteUInt16BigEndian(dst, (ushort)TftpOpcode.OptionAck);
        var n = 2;
        foreach (var (name, value) in Options)
        {
            n += TftpWire.WriteString(dst[n..], name);
            n += TftpWire.WriteString(dst[n..], value);
        }
        return n;
    }
}
