namespace Bifrost.Protocols.Ipmi.Commands;

/// <summary>
/// IPMI v2.0 §22.13 Get Channel Authentication Capabilities (App 0x38). Request: channel (1: bits 3:0, 0x0E = this
/// channel; bit 7 = get IPMI v2.0 extended data), requested privilege (1). Response: channel (1), auth type support
/// (1: bit 7 = IPMI v2.0 extended capabilities present), status (1), extended capabilities (1: bit 1 = IPMI v2.0
/// connections supported), OEM ID (3), OEM auxiliary data (1).
/// </summary>
public sealed record GetChannelAuthenticationCapabilities(byte Channel, bool SupportsIpmi20, byte AuthTypes, byte Status)
{
    public const byte Command = 0x38;
    public const byte CurrentChannel = 0x0E;

    public static byte[] Request(byte privilege) => [CurrentChannel | 0x80, privilege];

    public static bool TryRead(ReadOnlySpan<byte> data, out GetChannelAuthenticationCapabilities response, out string? error)
    {
        response = null!;
        if (data.Length < 8)
        {
            error = $"Get Channel Authentication Capabilities response of {data.Length} bytes is shorter than 8";
            return false;
        }
        var v2 = (data[1] & 0x80) != 0 && (data[3] & 0x02) != 0;
        response = new GetChannelAuthenticationCapabilities(data[0], v2, (byte)(data[1] & 0x3F), data[2]);
        error = null;
        return true;
    }
}
