using Bifrost.Domain.Errors;

namespace Bifrost.Domain.Drivers.Ipmi;

/// <summary>
/// The BMC conversation the ipmi hardware type needs, one IPMI command per call. Implemented by Bifrost.Bmc (Bifrost's
/// own RMCP+ client), which owns sessions, retries, pacing and cipher-suite choice. Waiting for a power state to be
/// reached is the power interface's job, not the client's. Every failure is an <see cref="IpmiException"/> naming the
/// node and BMC address, never the password.
/// </summary>
public interface IIpmiClient
{
    /// <summary>Opens (or reuses) an authenticated session at the requested privilege: what <c>manage</c> checks.</summary>
    Task VerifyAsync(IpmiTarget target, CancellationToken ct);

    /// <summary>Get Chassis Status (IPMI v2.0 §28.2): true when the chassis reports power on.</summary>
    Task<bool> GetPowerOnAsync(IpmiTarget target, CancellationToken ct);

    /// <summary>Chassis Control (IPMI v2.0 §28.3).</summary>
    Task ChassisControlAsync(IpmiTarget target, ChassisAction action, CancellationToken ct);

    /// <summary>Get System Boot Options parameter 5 (§28.13); null when the BMC reports no valid boot flags.</summary>
    Task<IpmiBootSetting?> GetBootDeviceAsync(IpmiTarget target, CancellationToken ct);

    /// <summary>Set System Boot Options parameters 3 and 5 (§28.12): the device, UEFI or legacy, persistent or next
    /// boot only, and the BMC told not to clear the valid bit after 60 s.</summary>
    Task SetBootDeviceAsync(IpmiTarget target, IpmiBootSetting setting, CancellationToken ct);
}

/// <summary>Whom to talk to: the node (for error messages and logs) and its parsed driver_info.</summary>
public sealed record IpmiTarget(Guid NodeUuid, string? NodeName, IpmiDriverInfo Bmc)
{
    /// <summary>"node NAME (UUID) at BMC ADDRESS:PORT", the prefix of every error about this BMC.</summary>
    public string Describe() =>
        NodeName is null
            ? $"node {NodeUuid} at BMC {Bmc.Address}:{Bmc.Port}"
            : $"node {NodeName} ({NodeUuid}) at BMC {Bmc.Address}:{Bmc.Port}";
}

/// <summary>Chassis Control commands, with their wire values (IPMI v2.0 §28.3, table 28-4).</summary>
public enum ChassisAction : byte
{
    PowerDown = 0x00,
    PowerUp = 0x01,
    PowerCycle = 0x02,
    HardReset = 0x03,
    SoftShutdown = 0x05,
}

/// <summary>Boot devices of parameter 5's device selector that Bifrost uses (IPMI v2.0 §28.13, table 28-14), by
/// Ironic's names.</summary>
public enum IpmiBootDevice
{
    Pxe,
    Disk,
    Cdrom,
    Bios,
    Safe,
}

public sealed record IpmiBootSetting(IpmiBootDevice Device, bool Persistent, bool Uefi);

/// <summary>What went wrong talking to a BMC, so callers (and tests) can tell the cases apart.</summary>
public enum IpmiErrorKind
{
    /// <summary>No answer within the retry budget.</summary>
    Unreachable,
    /// <summary>RAKP 2's key-exchange code did not match: wrong password.</summary>
    AuthenticationFailed,
    /// <summary>RAKP 2 status "unauthorized name".</summary>
    UnknownUser,
    /// <summary>The session privilege or a command was refused for lack of privilege.</summary>
    InsufficientPrivilege,
    /// <summary>The BMC does not offer the cipher suite, or Bifrost refuses it (no authentication/integrity/confidentiality).</summary>
    UnsupportedCipherSuite,
    /// <summary>A command completed with a non-zero completion code.</summary>
    CommandFailed,
    /// <summary>The BMC answered with something that does not follow the protocol.</summary>
    Protocol,
}

public sealed class IpmiException(IpmiErrorKind kind, string message, Exception? inner = null)
    : DriverOperationException(message, inner)
{
    public IpmiErrorKind Failure { get; } = kind;
}
