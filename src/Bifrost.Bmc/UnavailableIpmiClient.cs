using Bifrost.Domain.Drivers;
using Bifrost.Domain.Drivers.Ipmi;
using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;

namespace Bifrost.Bmc;

/// <summary>
/// Stands in for Bifrost's own RMCP+ client until it lands: every BMC operation fails with a clear error naming the
/// node and BMC (never the password), so an ipmi node's manage goes back to enroll and a power action sets
/// last_error, instead of pretending to have done something.
/// </summary>
public sealed class UnavailableIpmiClient : IIpmiClient
{
    public Task<string?> GetPowerStateAsync(Node node, IpmiDriverInfo bmc, CancellationToken ct) =>
        throw Unavailable(node, bmc, "read the power state");

    public Task SetPowerStateAsync(Node node, IpmiDriverInfo bmc, string target, TimeSpan? timeout, CancellationToken ct) =>
        throw Unavailable(node, bmc, $"set power to '{target}'");

    public Task<BootDeviceInfo> GetBootDeviceAsync(Node node, IpmiDriverInfo bmc, CancellationToken ct) =>
        throw Unavailable(node, bmc, "read the boot device");

    public Task SetBootDeviceAsync(Node node, IpmiDriverInfo bmc, string device, bool persistent, CancellationToken ct) =>
        throw Unavailable(node, bmc, $"set the boot device to {device}");

    private static DriverOperationException Unavailable(Node node, IpmiDriverInfo bmc, string what) =>
        new($"cannot {what} of node {node.Uuid} at BMC {bmc.Address}:{bmc.Port}: this Bifrost build has no IPMI client yet.");
}
