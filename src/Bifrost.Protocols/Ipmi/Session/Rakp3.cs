using System.Buffers.Binary;

namespace Bifrost.Protocols.Ipmi.Session;

/// <summary>
/// RAKP Message 3 (IPMI v2.0 §13.22, table 13-13): tag (1), status (1), reserved (2), managed system session ID (4, LE),
/// key exchange AuthCode (HMAC_Kuid(Rc | SIDm | ROLEm | ULENGTHm | UNAMEm)).
/// </summary>
public sealed record Rakp3(byte Tag, byte Status, uint BmcSessionId, byte[] KeyExchangeCode)
{
    public int GetEncodedLength() => 1 /* tag */ + 1 /* status */ + 2 /* reserved */ + 4 /* BMC ID */ + KeyExchangeCode.Length;

    public int Write(Span<byte> dst)
    {
        var length = GetEncodedLength();
        dst[..length].Clear();
        dst[0] = Tag;
        dst[1] = Status;
        BinaryPrimitives.WriteUInt32LittleEndian(dst[4..], BmcSessionId);
        KeyExchangeCode.CopyTo(dst[8..]);
        return length;
    }

    public byte[] ToArray()
    {
        var bytes = new byte[GetEncodedLength()];
        Write(bytes);
        return bytes;
    }

    public static bool TryRead(ReadOnlySpan<byte> src, out Rakp3 message, out string? error)
    {
        message = null!;
        if (src.Length < 8)
        {
            error = "RAKP 3 truncated";
            return false;
        }
        message = new Rakp3(src[0], src[1], BinaryPrimitives.ReadUInt32LittleEndian(src[4..]), src[8..].ToArray());
        error = null;
        return true;
    }
}
