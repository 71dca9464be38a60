namespace Bifrost.Protocols.Ipmi.Session;

/// <summary>RMCP+ payload types (IPMI v2.0 §13.27.3, table 13-16), wire values (bits 5:0 of the payload type byte).</summary>
public enum PayloadType : byte
{
    Ipmi = 0x00,
    Sol = 0x01,
    Oem = 0x02,
    OpenSessionRequest = 0x10,
    OpenSessionResponse = 0x11,
    Rakp1 = 0x12,
    Rakp2 = 0x13,
    Rakp3 = 0x14,
    Rakp4 = 0x15,
}

/// <summary>RMCP+ and RAKP message status codes (IPMI v2.0 §13.24, table 13-15).</summary>
public static class RmcpPlusStatus
{
    public const byte NoErrors = 0x00;
    public const byte InvalidRole = 0x09;
    public const byte UnauthorizedRole = 0x0A;
    public const byte InsufficientResourcesForRole = 0x0B;
    public const byte UnauthorizedName = 0x0D;
    public const byte InvalidIntegrityCheck = 0x0F;

    public static string Describe(byte status) => status switch
    {
        0x00 => "no errors",
        0x01 => "insufficient resources to create a session",
        0x02 => "invalid session ID",
        0x03 => "invalid payload type",
        0x04 => "invalid authentication algorithm",
        0x05 => "invalid integrity algorithm",
        0x06 => "no matching authentication payload",
        0x07 => "no matching integrity payload",
        0x08 => "inactive session ID",
        0x09 => "invalid role",
        0x0A => "unauthorized role or privilege level requested",
        0x0B => "insufficient resources to create a session at the requested role",
        0x0C => "invalid name length",
        0x0D => "unauthorized name",
        0x0E => "unauthorized GUID",
        0x0F => "invalid integrity check value",
        0x10 => "invalid confidentiality algorithm",
        0x11 => "no cipher suite match with proposed security algorithms",
        0x12 => "illegal or unrecognized parameter",
        _ => $"status 0x{status:x2}",
    };

    /// <summary>Statuses that mean "this BMC does not do that cipher suite".</summary>
    public static bool IsCipherSuiteRefusal(byte status) => status is 0x04 or 0x05 or 0x06 or 0x07 or 0x10 or 0x11;
}
