using System.Buffers.Binary;

namespace Bifrost.Protocols.Ipmi.Session;

/// <summary>
/// RAKP Message 1 (IPMI v2.0 §13.20, table 13-11): tag (1), reserved (3), managed system session ID (4, LE), remote
/// console random Rm (16), requested role (1: bits 3:0 privilege, bit 4 name-only lookup), reserved (2), user name
/// length (1), user name (0-16). The role byte and user name are also inputs of every RAKP HMAC (ROLEm, UNAMEm).
/// </summary>
public sealed record Rakp1(byte Tag, uint BmcSessionId, byte[] ConsoleRandom, byte Role, byte[] Username)
{
    public const int MaxUsername = 16;

    public int GetEncodedLength() =>
        1 /* tag */ + 3 /* reserved */ + 4 /* BMC session ID */ + 16 /* Rm */ + 1 /* role */ + 2 /* reserved */
        + 1 /* name length */ + Username.Length;

    public int Write(Span<byte> dst)
    {
        var length = GetEncodedLength();
        dst[..length].Clear();
        dst[0] = Tag;
        BinaryPrimitives.WriteUInt32LittleEndian(dst[4..], BmcSessionId);
        ConsoleRandom.CopyTo(dst[8..]);
        dst[24] = Role;
        dst[27] = (byte)Username.Length;
        Username.CopyTo(dst[28..]);
        return length;
    }

    public byte[] ToArray()
    {
        var bytes = new byte[GetEncodedLength()];
        Write(bytes);
        return bytes;
    }

    public static bool TryRead(ReadOnlySpan<byte> src, out Rakp1 message, out string? error)
    {
        message = null!;
        if (src.Length < 28 || src[27] > MaxUsername || src.Length < 28 + src[27])
        {
            error = "RAKP 1 truncated or with a user name longer than 16 bytes";
            return false;
        }
        message = new Rakp1(src[0], BinaryPrimitives.ReadUInt32LittleEndian(src[4..]), src.Slice(8, 16).ToArray(), src[24],
            src.Slice(28, src[27]).ToArray());
        error = null;
        return true;
    }
}
