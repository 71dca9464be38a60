namespace Bifrost.Protocols.Ipmi.Commands;

/// <summary>Network functions (IPMI v2.0 §5.1, table 5-1): even = request, odd = response.</summary>
public static class NetFn
{
    public const byte Chassis = 0x00;
    public const byte App = 0x06;
}

/// <summary>
/// An IPMI request message on LAN (IPMI v2.0 §13.8, figure 13-4): rsSA (1), netFn/rsLUN (1), checksum 1 (1), rqSA (1),
/// rqSeq/rqLUN (1), cmd (1), data, checksum 2 (1). Checksums are two's complement sums (§5.4): chk1 covers rsSA and
/// netFn, chk2 covers rqSA … data. Bifrost is software ID 0x81 talking to the BMC at 0x20, LUN 0.
/// </summary>
public sealed record IpmiRequest(byte NetFn, byte Command, byte RqSeq, byte[] Data)
{
    public const byte BmcAddress = 0x20;
    public const byte ConsoleAddress = 0x81;

    public int GetEncodedLength() => 1 /* rsSA */ + 1 /* netFn */ + 1 /* chk1 */ + 1 /* rqSA */ + 1 /* rqSeq */ + 1 /* cmd */ + Data.Length + 1 /* chk2 */;

    public int Write(Span<byte> dst)
    {
        dst[0] = BmcAddress;
        dst[1] = (byte)(NetFn << 2);
        dst[2] = Checksum.Of(dst[..2]);
        dst[3] = ConsoleAddress;
        dst[4] = (byte)((RqSeq & 0x3F) << 2);
        dst[5] = Command;
        Data.CopyTo(dst[6..]);
        var end = 6 + Data.Length;
        dst[end] = Checksum.Of(dst[3..end]);
        return end + 1;
    }

    public byte[] ToArray()
    {
        var bytes = new byte[GetEncodedLength()];
        Write(bytes);
        return bytes;
    }

    public static bool TryRead(ReadOnlySpan<byte> src, out IpmiRequest request, out string? error)
    {
        request = null!;
        if (src.Length < 7)
        {
            error = "IPMI request shorter than 7 bytes";
            return false;
        }
        if (!Checksum.IsValid(src[..3]) || !Checksum.IsValid(src[3..]))
        {
            error = "IPMI request checksum mismatch";
            return false;
        }
        request = new IpmiRequest((byte)(src[1] >> 2), src[5], (byte)(src[4] >> 2), src[6..^1].ToArray());
        error = null;
        return true;
    }
}

/// <summary>
/// An IPMI response message on LAN (IPMI v2.0 §13.8, figure 13-4): rqSA (1), netFn/rqLUN (1), checksum 1 (1), rsSA (1),
/// rqSeq/rsLUN (1), cmd (1), completion code (1), data, checksum 2 (1).
/// </summary>
public sealed record IpmiResponse(byte NetFn, byte Command, byte RqSeq, byte CompletionCode, byte[] Data)
{
    public int GetEncodedLength() => 7 /* header + cc */ + Data.Length + 1 /* chk2 */;

    public int Write(Span<byte> dst)
    {
        dst[0] = IpmiRequest.ConsoleAddress;
        dst[1] = (byte)(NetFn << 2);
        dst[2] = Checksum.Of(dst[..2]);
        dst[3] = IpmiRequest.BmcAddress;
        dst[4] = (byte)((RqSeq & 0x3F) << 2);
        dst[5] = Command;
        dst[6] = CompletionCode;
        Data.CopyTo(dst[7..]);
        var end = 7 + Data.Length;
        dst[end] = Checksum.Of(dst[3..end]);
        return end + 1;
    }

    public byte[] ToArray()
    {
        var bytes = new byte[GetEncodedLength()];
        Write(bytes);
        return bytes;
    }

    public static bool TryRead(ReadOnlySpan<byte> src, out IpmiResponse response, out string? error)
    {
        response = null!;
        if (src.Length < 8)
        {
            error = $"IPMI response of {src.Length} bytes is shorter than 8";
            return false;
        }
        if (!Checksum.IsValid(src[..3]))
        {
            error = "IPMI response header checksum mismatch";
            return false;
        }
        if (!Checksum.IsValid(src[3..]))
        {
            error = "IPMI response data checksum mismatch";
            return false;
        }
        if ((src[1] >> 2 & 1) == 0)
        {
            error = "IPMI message with an even (request) netFn where a response was expected";
            return false;
        }
        response = new IpmiResponse((byte)(src[1] >> 2), src[5], (byte)(src[4] >> 2), src[6], src[7..^1].ToArray());
        error = null;
        return true;
    }
}

/// <summary>The IPMI checksum (IPMI v2.0 §5.4): the byte that makes the 8-bit sum of the covered bytes zero.</summary>
public static class Checksum
{
    public static byte Of(ReadOnlySpan<byte> bytes)
    {
        byte sum = 0;
        foreach (var b in bytes) sum += b;
        return (byte)-sum;
    }

    /// <summary>Whether covered bytes followed by their checksum sum to zero.</summary>
    public static bool IsValid(ReadOnlySpan<byte> withChecksum)
    {
        byte sum = 0;
        foreach (var b in withChecksum) sum += b;
        return sum == 0;
    }
}
