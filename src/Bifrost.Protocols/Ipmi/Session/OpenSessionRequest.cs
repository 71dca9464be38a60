using System.Buffers.Binary;
using Bifrost.Protocols.Ipmi.Crypto;

namespace Bifrost.Protocols.Ipmi.Session;

/// <summary>
/// RMCP+ Open Session Request (IPMI v2.0 §13.17, table 13-9): tag (1), requested maximum privilege (1), reserved (2),
/// remote console session ID (4, LE), then the authentication, integrity and confidentiality payloads, 8 bytes each:
/// payload type (1), reserved (2), length 8 (1), algorithm (1), reserved (3).
/// </summary>
public sealed record OpenSessionRequest(byte Tag, byte Privilege, uint ConsoleSessionId, CipherSuite Suite)
{
    public const int Length = 1 /* tag */ + 1 /* privilege */ + 2 /* reserved */ + 4 /* console session ID */ + 3 * 8 /* algorithm payloads */;

    public int GetEncodedLength() => Length;

    public int Write(Span<byte> dst)
    {
        dst[..Length].Clear();
        dst[0] = Tag;
        dst[1] = Privilege; // ask for the level explicitly: ipmi_sim echoes it back (LAB.md), 0 would mean "highest"
        BinaryPrimitives.WriteUInt32LittleEndian(dst[4..], ConsoleSessionId);
        WriteAlgorithm(dst[8..], 0x00, (byte)Suite.Authentication);
        WriteAlgorithm(dst[16..], 0x01, (byte)Suite.Integrity);
        WriteAlgorithm(dst[24..], 0x02, (byte)Suite.Confidentiality);
        return Length;
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        Write(bytes);
        return bytes;
    }

    private static void WriteAlgorithm(Span<byte> dst, byte payloadType, byte algorithm)
    {
        dst[0] = payloadType;
        dst[3] = 0x08; // payload length
        dst[4] = algorithm;
    }

    public static bool TryRead(ReadOnlySpan<byte> src, out OpenSessionRequest request, out string? error)
    {
        request = null!;
        if (src.Length < Length)
        {
            error = $"Open Session Request of {src.Length} bytes is shorter than {Length}";
            return false;
        }
        var suite = new CipherSuite(-1, (AuthenticationAlgorithm)(src[12] & 0x3F), (IntegrityAlgorithm)(src[20] & 0x3F),
            (ConfidentialityAlgorithm)(src[28] & 0x3F));
        request = new OpenSessionRequest(src[0], src[1], BinaryPrimitives.ReadUInt32LittleEndian(src[4..]), suite);
        error = null;
        return true;
    }
}
