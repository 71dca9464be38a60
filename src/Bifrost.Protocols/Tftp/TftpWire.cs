using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace Bifrost.Protocols.Tftp;

/// <summary>Shared pieces of the RFC 1350 wire format: the opcode and NUL-terminated strings.</summary>
public static class TftpWire
{
    /// <summary>Largest UDP payload a TFTP packet can have (RFC 2348 bounds blksize so DATA fits 65,468 bytes).</summary>
    public const int MaxPacket = 4 /* opcode + block */ + TftpOptions.MaxBlockSize;

    /// <summary>The opcode of a datagram, or false when it is shorter than one.</summary>
    public static bool TryPeekOpcode(ReadOnlySpan<byte> src, out TftpOpcode opcode)
    {
        opcode = 0;
        if (src.Length < 2) return false;
        opcode = (TftpOpcode)BinaryPrimitives.ReadUInt16BigEndian(src);
        return true;
    }

    /// <summary>
    /// Reads one NUL-terminated string at <paramref name="offset"/>. The RFC says netascii; we accept valid UTF-8 (a
    /// superset) and refuse invalid bytes, so two different byte strings can never name the same file.
    /// </summary>
    internal static bool TryReadString(ReadOnlySpan<byte> src, ref int offset, out string value, out string? error)
    {
        value = "";
        var rest = src[offset..];
        var nul = rest.IndexOf((byte)0);
        if (nul < 0)
        {
            error = "string not NUL-terminated";
            return false;
        }
        var bytes = rest[..nul];
        if (!Utf8.IsValid(bytes))
        {
            error = "string is not valid UTF-8";
            return false;
        }
        value = Encoding.UTF8.GetString(bytes);
        offset += nul + 1;
        error = null;
        return true;
    }

    internal static int StringLength(string value) => Encoding.UTF8.GetByteCount(value) + 1 /* NUL */;

    internal static int WriteString(Span<byte> dst, string value)
    {
        var n = Encoding.UTF8.GetBytes(value, dst);
        dst[n] = 0;
        return n + 1;
    }
}
