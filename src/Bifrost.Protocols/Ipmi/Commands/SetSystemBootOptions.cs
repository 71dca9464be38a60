namespace Bifrost.Protocols.Ipmi.Commands;

/// <summary>
/// IPMI v2.0 §28.12 Set System Boot Options (Chassis 0x08). Request: parameter valid / selector (1: bit 7 = mark the
/// parameter invalid, bits 6:0 = parameter), parameter data. Bifrost sets parameter 3 (boot flag valid bit clearing)
/// to 0x08 — "don't clear the valid bit if no Chassis Control arrives within 60 s", as Ironic does with raw 0x00 0x08
/// 0x03 0x08 — then parameter 5 (<see cref="BootFlags"/>). No response data.
/// </summary>
public static class SetSystemBootOptions
{
    public const byte Command = 0x08;
    public const byte ValidBitClearingParameter = 3;

    /// <summary>Parameter 3 data: bit 3 = don't clear the valid bit on the 60-second timeout (table 28-14).</summary>
    public const byte DontClearOnTimeout = 0x08;

    public static byte[] Request(byte parameter, ReadOnlySpan<byte> parameterData)
    {
        var data = new byte[1 /* selector */ + parameterData.Length];
        data[0] = (byte)(parameter & 0x7F);
        parameterData.CopyTo(data.AsSpan(1));
        return data;
    }

    public static byte[] ValidBitClearing() => Request(ValidBitClearingParameter, [DontClearOnTimeout]);

    public static byte[] BootFlagsRequest(BootFlags flags) => Request(BootFlags.Parameter, flags.ToArray());
}
