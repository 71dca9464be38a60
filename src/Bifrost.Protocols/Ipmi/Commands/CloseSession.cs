using System.Buffers.Binary;

namespace Bifrost.Protocols.Ipmi.Commands;

/// <summary>IPMI v2.0 §22.19 Close Session (App 0x3C). Request: session ID (4, LE; the BMC's ID). No response data.</summary>
public static class CloseSession
{
    public const byte Command = 0x3C;

    public static byte[] Request(uint bmcSessionId)
    {
        var data = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(data, bmcSessionId);
        return data;
    }
}
