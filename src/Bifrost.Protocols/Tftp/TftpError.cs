using System.Buffers.Binary;

namespace Bifrost.Protocols.Tftp;

/// <summary>RFC 1350 §5 ERROR: <c>opcode 5 | error code (2) | message 0</c>.</summary>
public sealed record TftpError(TftpErrorCode Code, string Message)
{
    public static bool TryRead(ReadOnlySpan<byte> src, out TftpError packet, out string? error)
    {
        packet = null!;
        if (src.Length < 4 || BinaryPrimitives.ReadUInt16BigEndian(src) != (ushort)TftpOpcode.Error)
        {
            error = "not an ERROR packet";
            return false;
        }
        var code = (TftpErrorCode)BinaryPrimitives.ReadUInt16BigEndian(src[2..]);
        var offset = 4;
        // A missing terminator or message is common in the wild (UEFI's abort has an empty one); keep the code.
        var message = "";
        if (offset < src.Length && !TftpWire.TryReadString(src, ref offset, out message, out _)) message = "";
        packet = new TftpError(code, message);
        error = null;
        return true;
    }

    public int GetEncodedLength() => 2 /* opcode */ + 2 /* code */ + TftpWire.StringLength(Message);

    public int Write(Span<byte> dst)
    {
        BinaryPrimitives.WriteUInt16BigEndian(dst, (ushort)TftpOpcode.Error);
        BinaryPrimitives.WriteUInt16BigEndian(dst[2..], (ushort)Code);
        return 4 + TftpWire.WriteString(dst[4..], Message);
    }
}
