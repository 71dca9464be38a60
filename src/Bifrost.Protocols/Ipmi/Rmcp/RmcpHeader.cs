namespace Bifrost.Protocols.Ipmi.Rmcp;

/// <summary>RMCP message classes (DMTF ASF 2.0 §3.2.2.1, IPMI v2.0 §13.1.3).</summary>
public enum RmcpClass : byte
{
    Asf = 0x06,
    Ipmi = 0x07,
}

/// <summary>
/// The 4-byte RMCP header every IPMI-over-LAN datagram starts with (IPMI v2.0 §13.1.3, table 13-1): version 0x06,
/// reserved, sequence 0xFF (IPMI messages never ask for an RMCP ACK), class.
/// </summary>
public readonly record struct RmcpHeader(RmcpClass Class, byte Sequence = 0xFF)
{
    public const int Length = 4;
    public const byte Version = 0x06;

    public int Write(Span<byte> dst)
    {
        dst[0] = Version;
        dst[1] = 0x00; // reserved
        dst[2] = Sequence;
        dst[3] = (byte)Class; // bit 7 (ACK) clear: a normal message
        return Length;
    }

    public static bool TryRead(ReadOnlySpan<byte> src, out RmcpHeader header, out string? error)
    {
        header = default;
        if (src.Length < Length)
        {
            error = $"datagram of {src.Length} bytes is shorter than an RMCP header";
            return false;
        }
        if (src[0] != Version)
        {
            error = $"RMCP version 0x{src[0]:x2} is not 0x06";
            return false;
        }
        var cls = (RmcpClass)(src[3] & 0x1F);
        if ((src[3] & 0x80) != 0 || cls is not (RmcpClass.Asf or RmcpClass.Ipmi))
        {
            error = $"RMCP class byte 0x{src[3]:x2} is neither an ASF nor an IPMI message";
            return false;
        }
        header = new RmcpHeader(cls, src[2]);
        error = null;
        return true;
    }
}
