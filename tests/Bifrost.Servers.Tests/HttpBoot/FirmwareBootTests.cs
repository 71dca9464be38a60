using Bifrost.Domain.States;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.HttpBoot;

/// <summary>
/// Real firmware (QEMU's iPXE ROM on SeaBIOS and on OVMF, under TCG) fetching its script from Bifrost's HTTP boot server.
/// The node waits in <c>wait call-back</c>, so the planner answers with the deploy ramdisk; the test's "ramdisk kernel"
/// is itself an iPXE script (iPXE runs a <c>#!ipxe</c> image it is told to boot), which echoes a marker to the serial
/// console and reboots — QEMU runs with -no-reboot, so the VM ends (Debian's iPXE has no <c>poweroff</c>). The whole
/// path is the production one: planner → script → /ramdisk files → boot; nothing in Bifrost knows it is a test.
/// Here DHCP comes from QEMU's user network (its bootfile points at Bifrost on the host's loopback); the namespace lab
/// tests do the same through Bifrost's own DHCP and TFTP.
/// </summary>
[Category("EndToEnd")]
public class FirmwareBootTests
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(4); // TCG on a shared 2-core machine

    /// <summary>The "kernel" the planner sends: an iPXE script that proves it ran, then ends the VM. The pause lets the
    /// UART drain: on SeaBIOS an immediate reboot loses the last bytes of the console.</summary>
    public static string MarkerKernel(string marker) =>
        $"#!ipxe\necho {marker} platform=${{platform}} mac=${{mac}} end\nsleep 1\nreboot\n";

    private static IEnumerable<TestCaseData> Firmwares()
    {
        yield return new TestCaseData(QemuFirmware.Bios, "pcbios").SetName("BIOS + QEMU iPXE ROM boots the planner's ramdisk from Bifrost");
        yield return new TestCaseData(QemuFirmware.UefiIpxeRom, "efi").SetName("OVMF + QEMU iPXE ROM boots the planner's ramdisk from Bifrost");
    }

    [TestCaseSource(nameof(Firmwares))]
    public async Task Firmware_boots_the_ramdisk_through_Bifrost(QemuFirmware firmware, string platform)
    {
        await using var f = await BootServerFixture.StartAsync();
        var mac = $"52:54:00:b0:{Environment.ProcessId % 256:x2}:{(int)firmware + 1:x2}";
        var marker = $"BIFROST-MARKER-{Guid.NewGuid():N}"[..28];
        f.AddRamdisk(kernel: MarkerKernel(marker), initrd: "not a real initramfs");
        var node = await f.AddNodeAsync(mac, ProvisionState.DeployWait);

        // iPXE expands ${mac} and ${platform} in the DHCP boot file name: what Bifrost's DHCP hands iPXE too.
        await using var vm = QemuVm.Start(Path.Combine(f.StateDir, "vm"), mac, firmware,
            QemuNetwork.User($"http://10.0.2.2:{f.BootPort}/boot/${{mac}}.ipxe?platform=${{platform}}"));

        await vm.WaitForSerialAsync($"{marker} platform={platform} mac={mac} end", BootTimeout);
        Assert.That(vm.Serial(), Does.Contain("Bifrost: deploy ramdisk (state wait call-back)"), "the planner's script ran");
        Assert.That(await vm.WaitForExitAsync(TimeSpan.FromSeconds(60)), Is.True, "the script's reboot ended the VM\n" + vm.Diagnostics());
        var hops = await f.BootHopsAsync(node.Uuid);
        Assert.That(hops.Select(h => h.Event), Has.Member($"GET /boot/{mac}.ipxe → deploy ramdisk (state wait call-back)"));
    }
}
