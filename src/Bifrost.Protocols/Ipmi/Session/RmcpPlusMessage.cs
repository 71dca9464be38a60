using System.Buffers.Binary;
using System.Security.Cryptography;
using Bifrost.Protocols.Ipmi.Crypto;
using Bifrost.Protocols.Ipmi.Rmcp;

namespace Bifrost.Protocols.Ipmi.Session;

/// <summary>
/// An RMCP+ datagram (IPMI v2.0 §13.6 table 13-8, §13.28): RMCP header, auth type 0x06 (1), payload type with the
/// encrypted/authenticated bits (1), session ID (4, LE), session sequence (4, LE), payload length (2, LE), payload
/// (encrypted: IV | AES-CBC blocks), then — when authenticated — the session trailer: integrity pad (0xFF) so that
/// auth type … next header is a multiple of 4, pad length (1), next header 0x07 (1), AuthCode (12 or 16).
/// <see cref="Payload"/> is always the plaintext; the keys decide whether it is encrypted and signed on the wire.
/// </summary>
public sealed record RmcpPlusMessage(PayloadType Type, uint SessionId, uint Sequence, byte[] Payload)
{
    public const byte AuthTypeRmcpPlus = 0x06;
    private const int HeaderLength = 1 /* auth type */ + 1 /* payload type */ + 4 /* session ID */ + 4 /* sequence */ + 2 /* length */;

    /// <summary>Upper bound of the datagram length (exact without confidentiality).</summary>
    public int GetEncodedLength(SessionKeys keys)
    {
        var payload = keys.Confidentiality == ConfidentialityAlgorithm.None
            ? Payload.Length
            : AesCbc128.GetEncryptedLength(Payload.Length);
        var length = HeaderLength + payload;
        if (keys.Integrity != IntegrityAlgorithm.None)
        {
            var pad = (4 - ((length + 2) % 4)) % 4; // + pad length + next header must end on a 4-byte boundary
            length += pad + 1 /* pad length */ + 1 /* next header */ + IpmiCrypto.IntegrityLength(keys.Integrity);
        }
        return RmcpHeader.Length + length;
    }

    /// <summary>Writes the datagram; <paramref name="iv"/> (16 bytes) is used when the keys encrypt.</summary>
    public int Write(Span<byte> dst, SessionKeys keys, ReadOnlySpan<byte> iv)
    {
        var o = new RmcpHeader(RmcpClass.Ipmi).Write(dst);
        var session = dst[o..];
        var encrypted = keys.Confidentiality != ConfidentialityAlgorithm.None;
        var authenticated = keys.Integrity != IntegrityAlgorithm.None;
        session[0] = AuthTypeRmcpPlus;
        session[1] = (byte)((byte)Type | (encrypted ? 0x80 : 0) | (authenticated ? 0x40 : 0));
        BinaryPrimitives.WriteUInt32LittleEndian(session[2..], SessionId);
        BinaryPrimitives.WriteUInt32LittleEndian(session[6..], Sequence);
        var payloadLength = encrypted
            ? AesCbc128.Encrypt(keys.K2, iv, Payload, session[HeaderLength..])
            : Copy(Payload, session[HeaderLength..]);
        BinaryPrimitives.WriteUInt16LittleEndian(session[10..], (ushort)payloadLength);
        var length = HeaderLength + payloadLength;
        if (authenticated)
        {
            var pad = (4 - ((length + 2) % 4)) % 4;
            session.Slice(length, pad).Fill(0xFF);
            length += pad;
            session[length++] = (byte)pad;
            session[length++] = 0x07; // next header: reserved, always 0x07
            IpmiCrypto.Integrity(keys.Integrity, keys.K1, session[..length], session[length..]);
            length += IpmiCrypto.IntegrityLength(keys.Integrity);
        }
        return o + length;
    }

    /// <summary>Writes with a fresh random IV (what a session does).</summary>
    public int Write(Span<byte> dst, SessionKeys keys)
    {
        Span<byte> iv = stackalloc byte[AesCbc128.BlockSize];
        RandomNumberGenerator.Fill(iv);
        return Write(dst, keys, iv);
    }

    /// <summary>
    /// Reads an RMCP+ datagram. With keys other than none, the BMC's messages must be authenticated and encrypted as
    /// the keys say (an unsigned message inside a session is refused: it could be anyone's), and the AuthCode is
    /// checked in constant time.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> src, SessionKeys keys, out RmcpPlusMessage message, out string? error)
    {
        message = null!;
        if (!RmcpHeader.TryRead(src, out var header, out error)) return false;
        var session = src[RmcpHeader.Length..];
        if (header.Class != RmcpClass.Ipmi || session.Length < HeaderLength)
        {
            error = "datagram too short for an RMCP+ session header";
            return false;
        }
        if (session[0] != AuthTypeRmcpPlus)
        {
            error = $"auth type 0x{session[0]:x2} is not RMCP+ (0x06)";
            return false;
        }
        var type = (PayloadType)(session[1] & 0x3F);
        var encrypted = (session[1] & 0x80) != 0;
        var authenticated = (session[1] & 0x40) != 0;
        if (type == PayloadType.Oem)
        {
            error = "OEM payloads are not supported";
            return false;
        }
        var payloadLength = BinaryPrimitives.ReadUInt16LittleEndian(session[10..]);
        if (session.Length < HeaderLength + payloadLength)
        {
            error = $"payload length {payloadLength} runs past the datagram";
            return false;
        }
        var wantEncrypted = keys.Confidentiality != ConfidentialityAlgorithm.None;
        var wantAuthenticated = keys.Integrity != IntegrityAlgorithm.None;
        if (encrypted != wantEncrypted || authenticated != wantAuthenticated)
        {
            error = $"payload is {(encrypted ? "" : "not ")}encrypted and {(authenticated ? "" : "not ")}authenticated, " +
                    "which does not match the session";
            return false;
        }
        if (authenticated)
        {
            var end = HeaderLength + payloadLength;
            var icvLength = IpmiCrypto.IntegrityLength(keys.Integrity);
            var signed = session.Length - icvLength;
            // The pad should bring the signed part to a multiple of 4; not checked, the AuthCode covers it anyway.
            if (signed < end + 2 || session[signed - 1] != 0x07 || session[signed - 2] != signed - 2 - end)
            {
                error = "malformed session trailer";
                return false;
            }
            Span<byte> expected = stackalloc byte[16];
            IpmiCrypto.Integrity(keys.Integrity, keys.K1, session[..signed], expected);
            if (!CryptographicOperations.FixedTimeEquals(expected[..icvLength], session.Slice(signed, icvLength)))
            {
                error = "integrity check (AuthCode) does not match";
                return false;
            }
        }
        var raw = session.Slice(HeaderLength, payloadLength);
        byte[] payload;
        if (encrypted)
        {
            if (!AesCbc128.TryDecrypt(keys.K2, raw, out payload, out error)) return false;
        }
        else
        {
            payload = raw.ToArray();
        }
        message = new RmcpPlusMessage(
            type, BinaryPrimitives.ReadUInt32LittleEndian(session[2..]), BinaryPrimitives.ReadUInt32LittleEndian(session[6..]), payload);
        error = null;
        return true;
    }

    private static int Copy(byte[] payload, Span<byte> dst)
    {
        payload.CopyTo(dst);
        return payload.Length;
    }
}
