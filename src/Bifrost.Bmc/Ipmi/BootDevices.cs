using Bifrost.Domain.Drivers.Ipmi;
using Bifrost.Protocols.Ipmi.Commands;

namespace Bifrost.Bmc.Ipmi;

/// <summary>Ironic's boot device names ↔ parameter 5 device selectors (IPMI v2.0 §28.13, table 28-14).</summary>
internal static class BootDevices
{
    public static BootDeviceSelector ToSelector(IpmiBootDevice device) => device switch
    {
        IpmiBootDevice.Pxe => BootDeviceSelector.Pxe,
        IpmiBootDevice.Disk => BootDeviceSelector.Disk,
        IpmiBootDevice.Cdrom => BootDeviceSelector.CdDvd,
        IpmiBootDevice.Bios => BootDeviceSelector.BiosSetup,
        IpmiBootDevice.Safe => BootDeviceSelector.SafeMode,
        _ => throw new ArgumentOutOfRangeException(nameof(device), device, "no IPMI boot device selector"),
    };

    public static IpmiBootDevice? FromSelector(BootDeviceSelector selector) => selector switch
    {
        BootDeviceSelector.Pxe => IpmiBootDevice.Pxe,
        BootDeviceSelector.Disk => IpmiBootDevice.Disk,
        BootDeviceSelector.CdDvd => IpmiBootDevice.Cdrom,
        BootDeviceSelector.BiosSetup => IpmiBootDevice.Bios,
        BootDeviceSelector.SafeMode => IpmiBootDevice.Safe,
        _ => null,
    };
}
