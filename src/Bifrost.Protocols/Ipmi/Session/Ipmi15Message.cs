using System.Buffers.Binary;
using Bifrost.Protocols.Ipmi.Rmcp;

namespace Bifrost.Protocols.Ipmi.Session;

/// <summary>
/// An IPMI v1.5 session-framed datagram with authentication type NONE (IPMI v2.0 §13.6, table 13-8): RMCP header,
/// auth type (1), session sequence (4, LE), session ID (4, LE), message length (1), IPMI message. Used only outside a
/// session: Get Channel Authentication Capabilities and Get Channel Cipher Suites, which ipmi_sim answers only in this
/// framing (it ignores the RMCP+-framed pre-session Get Channel Cipher Suites — LAB.md).
/// </summary>
public sealed record Ipmi15Message(uint Sequence, uint SessionId, byte[] Message)
{
    private const int HeaderLength = 1 /* auth type */ + 4 /* sequence */ + 4 /* session ID */ + 1 /* length */;

    public int GetEncodedLength() => RmcpHeader.Length + HeaderLength + Message.Length;

    public int Write(Span<byte> dst)
    {
        var o = new RmcpHeader(RmcpClass.Ipmi).Write(dst);
        dst[o] = 0x00; // auth type NONE
        BinaryPrimitives.WriteUInt32LittleEndian(dst[(o + 1)..], Sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[(o + 5)..], SessionId);
        dst[o + 9] = (byte)Message.Length;
        Message.CopyTo(dst[(o + HeaderLength)..]);
        return o + HeaderLength + Message.Length;
    }

    /// <summary>Reads a 1.5-framed datagram; an auth type other than NONE carries a 16-byte AuthCode, skipped here
    /// (Bifrost never uses 1.5 sessions, so it never has to check one).</summary>
    public static bool TryRead(ReadOnlySpan<byte> src, out Ipmi15Message message, out string? error)
    {
        message = null!;
        if (!RmcpHeader.TryRead(src, out var header, out error)) return false;
        var body = src[RmcpHeader.Length..];
        if (header.Class != RmcpClass.Ipmi || body.Length < HeaderLength)
        {
            error = "not an IPMI 1.5 session datagram";
            return false;
        }
        var authType = body[0];
        if (authType == 0x06)
        {
            error = "an RMCP+ (IPMI v2.0) datagram, not IPMI 1.5";
            return false;
        }
        var authCode = authType == 0x00 ? 0 : 16;
        if (body.Length < HeaderLength + authCode)
        {
            error = "IPMI 1.5 session header truncated";
            return false;
        }
        var length = body[9 + authCode];
        var start = HeaderLength + authCode;
        if (body.Length < start + length)
        {
            error = $"IPMI 1.5 message length {length} runs past the datagram";
            return false;
        }
        message = new Ipmi15Message(
            BinaryPrimitives.ReadUInt32LittleEndian(body[1..]), BinaryPrimitives.ReadUInt32LittleEndian(body[5..]),
            body.Slice(start, length).ToArray());
        error = null;
        return true;
    }
}
