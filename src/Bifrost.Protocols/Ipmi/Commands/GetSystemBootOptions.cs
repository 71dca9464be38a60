namespace Bifrost.Protocols.Ipmi.Commands;

/// <summary>
/// IPMI v2.0 §28.13 Get System Boot Options (Chassis 0x09). Request: parameter selector (1), set selector (1), block
/// selector (1). Response: parameter version (1, 0x01), parameter valid / selector (1: bit 7 = invalid or locked,
/// bits 6:0 = parameter), parameter data.
/// </summary>
public sealed record GetSystemBootOptions(byte Parameter, bool Invalid, byte[] ParameterData)
{
    public const byte Command = 0x09;

    public static byte[] Request(byte parameter) => [(byte)(parameter & 0x7F), 0x00, 0x00];

    public static bool TryRead(ReadOnlySpan<byte> data, out GetSystemBootOptions response, out string? error)
    {
        response = null!;
        if (data.Length < 2)
        {
            error = $"Get System Boot Options response of {data.Length} bytes is shorter than 2";
            return false;
        }
        response = new GetSystemBootOptions((byte)(data[1] & 0x7F), (data[1] & 0x80) != 0, data[2..].ToArray());
        error = null;
        return true;
    }
}
