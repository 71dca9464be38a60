using Bifrost.Domain.Nodes;

namespace Bifrost.Domain.Drivers.Ipmi;

/// <summary>
/// The BMC conversation the ipmi hardware type needs. Implemented by Bifrost.Bmc (Bifrost's own RMCP+ client);
/// errors are <see cref="Errors.DriverOperationException"/>s naming the node and BMC address, never the password.
/// </summary>
public interface IIpmiClient
{
    Task<string?> GetPowerStateAsync(Node node, IpmiDriverInfo bmc, CancellationToken ct);
    Task SetPowerStateAsync(Node node, IpmiDriverInfo bmc, string target, TimeSpan? timeout, CancellationToken ct);
    Task<BootDeviceInfo> GetBootDeviceAsync(Node node, IpmiDriverInfo bmc, CancellationToken ct);
    Task SetBootDeviceAsync(Node node, IpmiDriverInfo bmc, string device, bool persistent, CancellationToken ct);
}
