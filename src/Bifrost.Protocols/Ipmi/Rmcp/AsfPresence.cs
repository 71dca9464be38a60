using System.Buffers.Binary;

namespace Bifrost.Protocols.Ipmi.Rmcp;

/// <summary>
/// ASF Presence Ping (type 0x80) and Presence Pong (type 0x40) (DMTF ASF 2.0 §3.2.4.1-2, IPMI v2.0 §13.2.3): the
/// unauthenticated "is there a BMC" probe. Message after the RMCP header: IANA 4542 (4), type (1), tag (1),
/// reserved (1), data length (1), data (pong: 16 bytes, byte 8 bit 7 = IPMI supported).
/// </summary>
public readonly record struct AsfPresence(byte MessageType, byte Tag, bool SupportsIpmi = false)
{
    public const uint AsfIana = 4542;
    public const byte PingType = 0x80;
    public const byte PongType = 0x40;
    private const int PongDataLength = 16;

    public static AsfPresence Ping(byte tag) => new(PingType, tag);

    public int GetEncodedLength() =>
        RmcpHeader.Length + 4 /* IANA */ + 1 /* type */ + 1 /* tag */ + 1 /* reserved */ + 1 /* data length */
        + (MessageType == PongType ? PongDataLength : 0);

    public int Write(Span<byte> dst)
    {
        var length = GetEncodedLength();
        dst[..length].Clear();
        var o = new RmcpHeader(RmcpClass.Asf).Write(dst);
        BinaryPrimitives.WriteUInt32BigEndian(dst[o..], AsfIana);
        dst[o + 4] = MessageType;
        dst[o + 5] = Tag;
        if (MessageType == PongType)
        {
            dst[o + 7] = PongDataLength;
            BinaryPrimitives.WriteUInt32BigEndian(dst[(o + 8)..], AsfIana); // IANA of the OEM-defined fields
            dst[o + 8 + 8] = (byte)(SupportsIpmi ? 0x81 : 0x01); // supported entities: IPMI | ASF 1.0
        }
        return length;
    }

    public static bool TryRead(ReadOnlySpan<byte> src, out AsfPresence message, out string? error)
    {
        message = default;
        if (!RmcpHeader.TryRead(src, out var header, out error)) return false;
        var body = src[RmcpHeader.Length..];
        if (header.Class != RmcpClass.Asf || body.Length < 8)
        {
            error = "not an ASF message";
            return false;
        }
        if (BinaryPrimitives.ReadUInt32BigEndian(body) != AsfIana)
        {
            error = "ASF message with an IANA other than 4542";
            return false;
        }
        var type = body[4];
        var dataLength = body[7];
        if (body.Length < 8 + dataLength)
        {
            error = $"ASF data length {dataLength} runs past the datagram";
            return false;
        }
        var ipmi = type == PongType && dataLength >= 9 && (body[8 + 8] & 0x80) != 0;
        message = new AsfPresence(type, body[5], ipmi);
        error = null;
        return true;
    }
}
