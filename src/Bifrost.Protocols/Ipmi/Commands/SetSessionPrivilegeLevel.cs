namespace Bifrost.Protocols.Ipmi.Commands;

/// <summary>
/// IPMI v2.0 §22.18 Set Session Privilege Level (App 0x3B). Request: privilege (1, bits 3:0). Response: the new
/// privilege (1). Completion codes 0x80 (level not available to this user), 0x81 (exceeds the channel or user limit).
/// </summary>
public static class SetSessionPrivilegeLevel
{
    public const byte Command = 0x3B;
    public const byte NotAvailableForUser = 0x80;
    public const byte ExceedsLimit = 0x81;

    public static byte[] Request(byte privilege) => [(byte)(privilege & 0x0F)];

    public static bool TryRead(ReadOnlySpan<byte> data, out byte privilege, out string? error)
    {
        privilege = 0;
        if (data.Length < 1)
        {
            error = "Set Session Privilege Level response has no privilege byte";
            return false;
        }
        privilege = (byte)(data[0] & 0x0F);
        error = null;
        return true;
    }
}
