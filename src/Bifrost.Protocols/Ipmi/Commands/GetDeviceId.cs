using System.Buffers.Binary;

namespace Bifrost.Protocols.Ipmi.Commands;

/// <summary>
/// IPMI v2.0 §20.1 Get Device ID (App 0x01). Response: device ID (1), device revision (1), firmware revision 1 (1:
/// bits 6:0 major), firmware revision 2 (1, BCD minor), IPMI version (1, BCD: 0x02 = 2.0), additional device support
/// (1), manufacturer ID (3, LE, 20 bits), product ID (2, LE), optionally auxiliary firmware revision (4).
/// </summary>
public sealed record GetDeviceId(byte DeviceId, byte DeviceRevision, byte FirmwareMajor, byte FirmwareMinor,
    byte IpmiVersion, int ManufacturerId, ushort ProductId)
{
    public const byte Command = 0x01;

    public static bool TryRead(ReadOnlySpan<byte> data, out GetDeviceId response, out string? error)
    {
        response = null!;
        if (data.Length < 11)
        {
            error = $"Get Device ID response of {data.Length} bytes is shorter than 11";
            return false;
        }
        var manufacturer = data[6] | data[7] << 8 | (data[8] & 0x0F) << 16;
        response = new GetDeviceId(data[0], (byte)(data[1] & 0x0F), (byte)(data[2] & 0x7F), data[3], data[4], manufacturer,
            BinaryPrimitives.ReadUInt16LittleEndian(data[9..]));
        error = null;
        return true;
    }
}
