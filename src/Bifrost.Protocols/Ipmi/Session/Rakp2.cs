using System.Buffers.Binary;

namespace Bifrost.Protocols.Ipmi.Session;

/// <summary>
/// RAKP Message 2 (IPMI v2.0 §13.21, table 13-12): tag (1), status (1), reserved (2), remote console session ID
/// (4, LE), managed system random Rc (16), managed system GUID (16), key exchange AuthCode (HMAC_Kuid(SIDm | SIDc | Rm
/// | Rc | GUIDc | ROLEm | ULENGTHm | UNAMEm): 0, 20 or 32 bytes). A refusal may stop after the console session ID.
/// </summary>
public sealed record Rakp2(byte Tag, byte Status, uint ConsoleSessionId, byte[] BmcRandom, byte[] BmcGuid, byte[] KeyExchangeCode)
{
    private const int FixedLength = 1 /* tag */ + 1 /* status */ + 2 /* reserved */ + 4 /* console ID */ + 16 /* Rc */ + 16 /* GUID */;

    public int GetEncodedLength() => Status == 0 ? FixedLength + KeyExchangeCode.Length : 8;

    public int Write(Span<byte> dst)
    {
        var length = GetEncodedLength();
        dst[..length].Clear();
        dst[0] = Tag;
        dst[1] = Status;
        BinaryPrimitives.WriteUInt32LittleEndian(dst[4..], ConsoleSessionId);
        if (Status != 0) return length;
        BmcRandom.CopyTo(dst[8..]);
        BmcGuid.CopyTo(dst[24..]);
        KeyExchangeCode.CopyTo(dst[40..]);
        return length;
    }

    /// <summary>The key exchange code is whatever follows the GUID: its length is checked against the suite by the
    /// session, which knows the suite.</summary>
    public static bool TryRead(ReadOnlySpan<byte> src, out Rakp2 message, out string? error)
    {
        message = null!;
        if (src.Length < 2)
        {
            error = "RAKP 2 truncated";
            return false;
        }
        if (src[1] != 0)
        {
            var console = src.Length >= 8 ? BinaryPrimitives.ReadUInt32LittleEndian(src[4..]) : 0;
            message = new Rakp2(src[0], src[1], console, [], [], []);
            error = null;
            return true;
        }
        if (src.Length < FixedLength)
        {
            error = $"RAKP 2 of {src.Length} bytes is shorter than {FixedLength}";
            return false;
        }
        message = new Rakp2(src[0], 0, BinaryPrimitives.ReadUInt32LittleEndian(src[4..]), src.Slice(8, 16).ToArray(),
            src.Slice(24, 16).ToArray(), src[FixedLength..].ToArray());
        error = null;
        return true;
    }
}
