using System.Buffers.Binary;

namespace Bifrost.Protocols.Tftp;

/// <summary>RFC 1350 §5 ACK: <c>opcode 4 | block# (2)</c>. Block 0 acknowledges an OACK (RFC 2347).</summary>
public static class TftpAck
{
    public const int Length = 2 /* opcode */ + 2 /* block */;

    public static bool TryRead(ReadOnlySpan<byte> src, out ushort block, out string? error)
    {
        block = 0;
        // Trailing bytes are tolerated: some stacks pad short UDP payloads.
        if (src.Length < Length || BinaryPrimitives.ReadUInt16BigEndian(src) != (ushort)TftpOpcode.Ack)
        {
            error = "not an ACK packet";
            return false;
        }
        block = BinaryPrimitives.ReadUInt16BigEndian(src[2..]);
        error = null;
        return true;
    }

    public static int Write(Span<byte> dst, ushort block)
    {
        BinaryPrimitives.WriteUInt16BigEndian(dst, (ushort)TftpOpcode.Ack);
        BinaryPrimitives.WriteUInt16BigEndian(dst[2..], block);
        return Length;
    }
}
