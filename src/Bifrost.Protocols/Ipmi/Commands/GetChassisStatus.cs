namespace Bifrost.Protocols.Ipmi.Commands;

/// <summary>
/// IPMI v2.0 §28.2 Get Chassis Status (Chassis 0x01). Response: current power state (1: bit 0 = power on, bits 6:5
/// restore policy), last power event (1), miscellaneous chassis state (1), optionally front panel button (1).
/// </summary>
public sealed record GetChassisStatus(bool PowerOn, byte PowerState, byte LastPowerEvent, byte MiscState)
{
    public const byte Command = 0x01;

    public static bool TryRead(ReadOnlySpan<byte> data, out GetChassisStatus response, out string? error)
    {
        response = null!;
        if (data.Length < 3)
        {
            error = $"Get Chassis Status response of {data.Length} bytes is shorter than 3";
            return false;
        }
        response = new GetChassisStatus((data[0] & 0x01) != 0, data[0], data[1], data[2]);
        error = null;
        return true;
    }
}
