using Bifrost.Domain.Drivers.Ipmi;

namespace Bifrost.Bmc;

/// <summary>
/// Stands in for Bifrost's own RMCP+ client until it lands: every BMC operation fails with a clear error naming the
/// node and BMC (never the password), instead of pretending to have done something.
/// </summary>
public sealed class UnavailableIpmiClient : IIpmiClient
{
    public Task VerifyAsync(IpmiTarget target, CancellationToken ct) => throw Unavailable(target, "open a session");

    public Task<bool> GetPowerOnAsync(IpmiTarget target, CancellationToken ct) =>
        throw Unavailable(target, "read the power state");

    public Task ChassisControlAsync(IpmiTarget target, ChassisAction action, CancellationToken ct) =>
        throw Unavailable(target, $"send chassis control {action}");

    public Task<IpmiBootSetting?> GetBootDeviceAsync(IpmiTarget target, CancellationToken ct) =>
        throw Unavailable(target, "read the boot device");

    public Task SetBootDeviceAsync(IpmiTarget target, IpmiBootSetting setting, CancellationToken ct) =>
        throw Unavailable(target, $"set the boot device to {setting.Device}");

    private static IpmiException Unavailable(IpmiTarget target, string what) =>
        new(IpmiErrorKind.Unreachable, $"cannot {what} of {target.Describe()}: this Bifrost build has no IPMI client yet.");
}
