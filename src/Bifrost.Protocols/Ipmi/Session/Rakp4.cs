using System.Buffers.Binary;

namespace Bifrost.Protocols.Ipmi.Session;

/// <summary>
/// RAKP Message 4 (IPMI v2.0 §13.23, table 13-14): tag (1), status (1), reserved (2), remote console session ID
/// (4, LE), integrity check value (HMAC_SIK(Rm | SIDc | GUIDc) truncated to 12 or 16 bytes).
/// </summary>
public sealed record Rakp4(byte Tag, byte Status, uint ConsoleSessionId, byte[] IntegrityCheck)
{
    public int GetEncodedLength() => 1 /* tag */ + 1 /* status */ + 2 /* reserved */ + 4 /* console ID */ + IntegrityCheck.Length;

    public int Write(Span<byte> dst)
    {
        var length = GetEncodedLength();
        dst[..length].Clear();
        dst[0] = Tag;
        dst[1] = Status;
        BinaryPrimitives.WriteUInt32LittleEndian(dst[4..], ConsoleSessionId);
        IntegrityCheck.CopyTo(dst[8..]);
        return length;
    }

    public static bool TryRead(ReadOnlySpan<byte> src, out Rakp4 message, out string? error)
    {
        message = null!;
        if (src.Length < 2 || (src[1] == 0 && src.Length < 8))
        {
            error = "RAKP 4 truncated";
            return false;
        }
        var console = src.Length >= 8 ? BinaryPrimitives.ReadUInt32LittleEndian(src[4..]) : 0;
        message = new Rakp4(src[0], src[1], console, src.Length > 8 ? src[8..].ToArray() : []);
        error = null;
        return true;
    }
}
