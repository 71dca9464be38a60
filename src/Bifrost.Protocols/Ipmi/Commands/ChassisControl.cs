namespace Bifrost.Protocols.Ipmi.Commands;

/// <summary>
/// IPMI v2.0 §28.3 Chassis Control (Chassis 0x02). Request: chassis control (1, bits 3:0: 0 power down, 1 power up,
/// 2 power cycle, 3 hard reset, 4 diagnostic interrupt, 5 soft shutdown via ACPI). No response data.
/// </summary>
public static class ChassisControl
{
    public const byte Command = 0x02;

    public static byte[] Request(byte control) => [(byte)(control & 0x0F)];
}
