using System.Diagnostics;

namespace Bifrost.Lab.Tests;

/// <summary>
/// packaging/lab/lab.sh itself — the README's "run it" command — tested as a newcomer uses it: <c>up</c> enrolls the
/// nodes with the real baremetal CLI, each BMC really drives a VM (power on through Bifrost → IPMI → ipmi_sim → the
/// chassis script → QEMU, which PXE-boots through Bifrost's DHCP and HTTP boot), and <c>down</c> leaves nothing behind.
/// </summary>
[Category("EndToEnd")]
public class LabScriptTests
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(4); // TCG on a shared 2-core machine

    [Test]
    public async Task Marker_image_is_a_boot_sector_that_prints_the_uuid_on_COM1()
    {
        using var dir = new TempDirectory("bifrost-marker");
        var image = Path.Combine(dir.Path, "marker.img");
        var uuid = Guid.NewGuid().ToString();

        await VirtualRack.MarkerImageAsync(uuid, image, mib: 2);

        var bytes = await File.ReadAllBytesAsync(image);
        Assert.That(bytes, Has.Length.EqualTo(2 * 1024 * 1024), "padded to the size asked");
        Assert.That(bytes[510..512], Is.EqualTo(new byte[] { 0x55, 0xAA }), "MBR boot signature");
        Assert.That(bytes[5..8], Is.EqualTo(new byte[] { 0xBE, 0x17, 0x7C }), "mov si,0x7c17: the message at offset 23");
        Assert.That(System.Text.Encoding.ASCII.GetString(bytes, 23, 15 + 36 + 3), Is.EqualTo($"BIFROST-MARKER {uuid}\r\n\0"));
        Assert.That(bytes[512..].All(b => b == 0), Is.True, "the rest is zeros");
    }

    [Test]
    public async Task Up_enrolls_BMC_driven_VMs_that_PXE_boot_through_Bifrost_and_down_removes_everything()
    {
        using var dir = new TempDirectory("bifrost-lab");
        var labDir = Path.Combine(dir.Path, "lab");
        string ns;
        List<int> pids;
        await using (var rack = await VirtualRack.UpAsync(labDir, vms: 1, ghosts: 1, enroll: true))
        {
            ns = rack.Namespace;
            Assert.That(VirtualRack.NamespaceExists(ns), Is.True);
            var node = rack.Node("node-1");
            var ghost = rack.Node("ghost-1");

            var list = await rack.Cli.RunAsync("node", "list", "--fields", "name", "driver", "provision_state", "-f", "json");
            Assert.That(list.ExitCode, Is.EqualTo(0), list.ToString());
            var nodes = JsonNode.Parse(list.Stdout)!.AsArray().Select(n => (n!["Name"]!.GetValue<string>(), n["Driver"]!.GetValue<string>(), n["Provisioning State"]!.GetValue<string>()));
            Assert.That(nodes, Is.EquivalentTo(new[] { ("node-1", "ipmi", "enroll"), ("ghost-1", "ipmi", "enroll") }));
            var ports = await rack.Cli.RunAsync("port", "list", "--fields", "address", "-f", "value");
            Assert.That(ports.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EquivalentTo(new[] { node.Mac, ghost.Mac }));

            // A disk that boots: after Bifrost's script sends the manageable node to its next boot device, SeaBIOS
            // boots the disk, which prints the marker — the whole chain from Bifrost's power-on to the VM's disk.
            var uuid = (await rack.Cli.RunAsync("node", "show", "node-1", "-f", "value", "-c", "uuid")).Stdout.Trim();
            var image = Path.Combine(dir.Path, "marker.img");
            await VirtualRack.MarkerImageAsync(uuid, image, mib: 1);
            await using (var disk = new FileStream(node.Disk, FileMode.Open, FileAccess.Write))
                await disk.WriteAsync(await File.ReadAllBytesAsync(image));

            foreach (var name in new[] { "node-1", "ghost-1" })
                Assert.That(await rack.Cli.RunAsync("node", "manage", name, "--wait", "120"), Has.Property("ExitCode").EqualTo(0));
            Assert.That(node.PoweredOn, Is.False, "the VM is off until Bifrost powers it on");

            var on = await rack.Cli.RunAsync("node", "power", "on", "node-1");
            Assert.That(on.ExitCode, Is.EqualTo(0), on.ToString());
            Assert.That(await Eventually(() => node.PoweredOn), Is.True, "IPMI power on started the VM");
            Assert.That(await rack.Cli.RunAsync("node", "power", "on", "ghost-1"), Has.Property("ExitCode").EqualTo(0));
            Assert.That(await Eventually(() => ghost.PoweredOn), Is.True, "the ghost's chassis keeps its power state");
            Assert.That(Directory.GetFiles(ghost.Directory, "qemu*"), Is.Empty, "a ghost never has a VM");

            try
            {
                await node.WaitForSerialAsync($"BIFROST-MARKER {uuid}", BootTimeout);
            }
            catch (TimeoutException e)
            {
                Assert.Fail($"{e.Message}\n{rack.Diagnostics()}");
            }
            var serial = node.Serial();
            Assert.That(serial, Does.Contain($"http://{rack.Prefix}.1:8080/boot/"), "Bifrost's DHCP sent iPXE to its boot server");
            Assert.That(serial, Does.Contain("Bifrost: exit to next boot device (state manageable)"), "the planner's script ran");

            var power = await rack.Cli.RunAsync("node", "show", "node-1", "-f", "value", "-c", "power_state");
            Assert.That(power.Stdout.Trim(), Is.EqualTo("power on"), "Bifrost reads the VM's power back over IPMI");
            Assert.That(await rack.Cli.RunAsync("node", "power", "off", "node-1"), Has.Property("ExitCode").EqualTo(0));
            Assert.That(await Eventually(() => !node.PoweredOn), Is.True, "IPMI power off stopped the VM");
            Assert.That(node.ChassisCalls(), Does.Contain("set power 1").And.Contains("set power 0"));

            // Leave a VM running: down must stop it too.
            Assert.That(await rack.Cli.RunAsync("node", "power", "on", "node-1"), Has.Property("ExitCode").EqualTo(0));
            Assert.That(await Eventually(() => node.PoweredOn), Is.True);
            pids = [.. new[] { "bifrost.pid", "nodes/node-1/ipmi_sim.pid", "nodes/ghost-1/ipmi_sim.pid", "nodes/node-1/qemu.pid" }
                .Select(f => int.Parse(File.ReadAllText(Path.Combine(labDir, f)).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture))];
            Assert.That(pids.All(Alive), Is.True, "every recorded process runs");
        }

        Assert.That(VirtualRack.NamespaceExists(ns), Is.False, "down deleted the namespace");
        Assert.That(pids.Where(Alive), Is.Empty, "down stopped Bifrost, the BMCs and the VM");
        Assert.That(Directory.Exists(labDir), Is.False, "down removed the lab directory");
    }

    /// <summary>Polls <paramref name="condition"/> for up to a minute (power changes are asynchronous, as in Ironic).</summary>
    internal static async Task<bool> Eventually(Func<bool> condition, int seconds = 60)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(seconds); DateTime.UtcNow < deadline; await Task.Delay(250))
            if (condition()) return true;
        return condition();
    }

    private static bool Alive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
