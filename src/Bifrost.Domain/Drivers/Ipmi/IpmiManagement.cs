using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;

namespace Bifrost.Domain.Drivers.Ipmi;

/// <summary>
/// The ipmi management interface: boot device through System Boot Options parameter 5, UEFI or legacy from the
/// node's boot mode (<see cref="BootModes"/>), persistent or next boot only.
/// </summary>
internal sealed class IpmiManagement(IIpmiClient client, string defaultBootMode) : IManagementInterface
{
    private static readonly Dictionary<string, IpmiBootDevice> Devices = new(StringComparer.Ordinal)
    {
        ["pxe"] = IpmiBootDevice.Pxe,
        ["disk"] = IpmiBootDevice.Disk,
        ["cdrom"] = IpmiBootDevice.Cdrom,
        ["bios"] = IpmiBootDevice.Bios,
        ["safe"] = IpmiBootDevice.Safe,
    };

    public string Name => "ipmitool";
    public ValidationResult Validate(Node node) => IpmiHardware.ValidateInfo(node);

    public IReadOnlyList<string> SupportedBootDevices(Node node) => [.. Devices.Keys];

    public async Task<BootDeviceInfo> GetBootDeviceAsync(Node node, CancellationToken ct)
    {
        var setting = await client.GetBootDeviceAsync(IpmiHardware.Target(node), ct);
        if (setting is null) return new BootDeviceInfo(null, null);
        var name = Devices.First(d => d.Value == setting.Device).Key;
        return new BootDeviceInfo(name, setting.Persistent);
    }

    public Task SetBootDeviceAsync(Node node, string device, bool persistent, CancellationToken ct)
    {
        if (!Devices.TryGetValue(device, out var d))
            throw new BifrostException(
                $"Invalid boot device {device} specified, valid boot devices are: {string.Join(", ", Devices.Keys)}");
        var uefi = BootModes.Of(node, defaultBootMode) == BootModes.Uefi;
        return client.SetBootDeviceAsync(IpmiHardware.Target(node), new IpmiBootSetting(d, persistent, uefi), ct);
    }
}
