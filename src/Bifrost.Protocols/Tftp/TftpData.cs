using System.Buffers.Binary;

namespace Bifrost.Protocols.Tftp;

/// <summary>RFC 1350 §5 DATA: <c>opcode 3 | block# (2) | 0..blksize bytes</c>. A short block ends the transfer.</summary>
public static class TftpData
{
    public const int HeaderLength = 2 /* opcode */ + 2 /* block */;

    /// <summary>Writes the 4-byte header; the caller has put the payload at <c>dst[HeaderLength..]</c>.</summary>
    public static int WriteHeader(Span<byte> dst, ushort block)
    {
        BinaryPrimitives.WriteUInt16BigEndian(dst, (ushort)TftpOpcode.Data);
        BinaryPrimitives.WriteUInt16BigEndian(dst[2..], block);
        return HeaderLength;
    }

    public static bool TryRead(ReadOnlySpan<byte> src, out ushort block, out ReadOnlySpan<byte> payload, out string? error)
    {
        block = 0;
        payload = default;
        if (src.Length < HeaderLength || BinaryPrimitives.ReadUInt16BigEndian(src) != (ushort)TftpOpcode.Data)
        {
            error = "not a DATA packet";
            return false;
        }
        block = BinaryPrimitives.ReadUInt16BigEndian(src[2..]);
        payload = src[HeaderLength..];
        error = null;
        return true;
    }
}
