using System.Buffers.Binary;

namespace Bifrost.Protocols.Tftp;

/// <summary>
/// RFC 1350 §5 RRQ/WRQ: <c>opcode | filename 0 | mode 0</c>, followed by RFC 2347 §"Packet Formats" options
/// <c>name 0 | value 0</c> pairs in the order the client sent them.
/// </summary>
public sealed record TftpRequest(TftpOpcode Opcode, string Filename, string Mode, IReadOnlyList<KeyValuePair<string, string>> Options)
{
    /// <summary>The value of option <paramref name="name"/> (names are case-insensitive, RFC 2347); the first wins.</summary>
    public string? Option(string name)
    {
        foreach (var (key, value) in Options)
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) return value;
        return null;
    }

    public static bool TryRead(ReadOnlySpan<byte> src, out TftpRequest request, out string? error)
    {
        request = null!;
        if (!TftpWire.TryPeekOpcode(src, out var opcode))
        {
            error = "shorter than an opcode";
            return false;
        }
        if (opcode is not (TftpOpcode.ReadRequest or TftpOpcode.WriteRequest))
        {
            error = $"opcode {(ushort)opcode} is not a request";
            return false;
        }
        var offset = 2;
        if (!TftpWire.TryReadString(src, ref offset, out var filename, out error)) { error = "filename: " + error; return false; }
        if (!TftpWire.TryReadString(src, ref offset, out var mode, out error)) { error = "mode: " + error; return false; }
        if (filename.Length == 0)
        {
            error = "empty filename";
            return false;
        }
        var options = new List<KeyValuePair<string, string>>();
        while (offset < src.Length)
        {
            // Some clients pad requests with NULs after the last option; RFC 2347 does not, but it is harmless.
            if (src[offset..].IndexOfAnyExcept((byte)0) < 0) break;
            if (!TftpWire.TryReadString(src, ref offset, out var name, out error)) { error = "option name: " + error; return false; }
            if (offset >= src.Length)
            {
                error = $"option {name} has no value";
                return false;
            }
            if (!TftpWire.TryReadString(src, ref offset, out var value, out error)) { error = $"option {name}: " + error; return false; }
            options.Add(new(name, value));
        }
        request = new TftpRequest(opcode, filename, mode, options);
        error = null;
        return true;
    }

    public int GetEncodedLength()
    {
        var length = 2 /* opcode */ + TftpWire.StringLength(Filename) + TftpWire.StringLength(Mode);
        foreach (var (name, value) in Options) length += TftpWire.StringLength(name) + TftpWire.StringLength(value);
        return length;
    }

    public int Write(Span<byte> dst)
    {
        BinaryPrimitives.WriteUInt16BigEndian(dst, (ushort)Opcode);
        var n = 2;
        n += TftpWire.WriteString(dst[n..], Filename);
        n += TftpWire.WriteString(dst[n..], Mode);
        foreach (var (name, value) in Options)
        {
            n += TftpWire.WriteString(dst[n..], name);
            n += TftpWire.WriteString(dst[n..], value);
        }
        return n;
    }
}
