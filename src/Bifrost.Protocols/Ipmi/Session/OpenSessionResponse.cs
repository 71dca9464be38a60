using System.Buffers.Binary;
using Bifrost.Protocols.Ipmi.Crypto;

namespace Bifrost.Protocols.Ipmi.Session;

/// <summary>
/// RMCP+ Open Session Response (IPMI v2.0 §13.18, table 13-10): tag (1), status (1), maximum privilege (1),
/// reserved (1), remote console session ID (4, LE), and when the status is 0: managed system session ID (4, LE) and
/// the three 8-byte algorithm payloads the BMC chose. A refusal may stop after the console session ID.
/// </summary>
public sealed record OpenSessionResponse(
    byte Tag, byte Status, byte Privilege, uint ConsoleSessionId, uint BmcSessionId,
    AuthenticationAlgorithm Authentication, IntegrityAlgorithm Integrity, ConfidentialityAlgorithm Confidentiality)
{
    public const int ErrorLength = 1 /* tag */ + 1 /* status */ + 1 /* privilege */ + 1 /* reserved */ + 4 /* console ID */;
    public const int Length = ErrorLength + 4 /* BMC session ID */ + 3 * 8 /* algorithm payloads */;

    public int GetEncodedLength() => Status == 0 ? Length : ErrorLength;

    public int Write(Span<byte> dst)
    {
        var length = GetEncodedLength();
        dst[..length].Clear();
        dst[0] = Tag;
        dst[1] = Status;
        dst[2] = Privilege;
        BinaryPrimitives.WriteUInt32LittleEndian(dst[4..], ConsoleSessionId);
        if (Status != 0) return length;
        BinaryPrimitives.WriteUInt32LittleEndian(dst[8..], BmcSessionId);
        (dst[12], dst[15], dst[16]) = ((byte)0x00, (byte)0x08, (byte)Authentication);
        (dst[20], dst[23], dst[24]) = ((byte)0x01, (byte)0x08, (byte)Integrity);
        (dst[28], dst[31], dst[32]) = ((byte)0x02, (byte)0x08, (byte)Confidentiality);
        return length;
    }

    public static bool TryRead(ReadOnlySpan<byte> src, out OpenSessionResponse response, out string? error)
    {
        response = null!;
        if (src.Length < 2 || (src[1] == 0 ? src.Length < Length : src.Length < 2))
        {
            error = $"Open Session Response of {src.Length} bytes is truncated";
            return false;
        }
        if (src[1] != 0)
        {
            // Refusals are sometimes just tag + status: read what is there.
            var console = src.Length >= ErrorLength ? BinaryPrimitives.ReadUInt32LittleEndian(src[4..]) : 0;
            response = new OpenSessionResponse(src[0], src[1], src.Length > 2 ? src[2] : (byte)0, console, 0, 0, 0, 0);
            error = null;
            return true;
        }
        if (src[12] != 0x00 || src[20] != 0x01 || src[28] != 0x02)
        {
            error = "Open Session Response algorithm payloads are not authentication, integrity, confidentiality";
            return false;
        }
        response = new OpenSessionResponse(
            src[0], 0, (byte)(src[2] & 0x0F), BinaryPrimitives.ReadUInt32LittleEndian(src[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(src[8..]), (AuthenticationAlgorithm)(src[16] & 0x3F),
            (IntegrityAlgorithm)(src[24] & 0x3F), (ConfidentialityAlgorithm)(src[32] & 0x3F));
        error = null;
        return true;
    }
}
