using System.Text.Json;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Ramdisk.Tests;

/// <summary>The agent's inventory (docs/agent-protocol.md §3) from a fake /proc + /sys, parsed as JSON.</summary>
public sealed class AgentInventoryTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory("bifrost-agent-inv");

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private JsonElement Inventory(bool efi, string bootif = "52:54:00:aa:bb:01")
    {
        var sys = Path.Combine(_dir.Path, "root");
        FakeSysfs.Create(sys, efi);
        var r = AgentShell.Run("inventory \"$BOOTIF\"", Path.Combine(_dir.Path, "state"),
            new Dictionary<string, string> { ["SYSROOT"] = sys, ["BOOTIF"] = bootif, ["ARCH"] = "x86_64" });
        Assert.That(r.ExitCode, Is.Zero, r.Stderr);
        try
        {
            return JsonDocument.Parse(r.Stdout).RootElement.Clone();
        }
        catch (JsonException e)
        {
            Assert.Fail($"the inventory is not JSON ({e.Message}):\n{r.Stdout}");
            throw;
        }
    }

    [Test]
    public void Cpu_memory_and_system_come_from_proc_and_dmi()
    {
        var inv = Inventory(efi: false);
        Assert.That(inv.GetProperty("cpu").GetProperty("count").GetInt32(), Is.EqualTo(2));
        Assert.That(inv.GetProperty("cpu").GetProperty("architecture").GetString(), Is.EqualTo("x86_64"));
        Assert.That(inv.GetProperty("cpu").GetProperty("model_name").GetString(), Is.EqualTo(FakeSysfs.CpuModel));
        Assert.That(inv.GetProperty("cpu").GetProperty("flags").EnumerateArray().Select(f => f.GetString()),
            Is.EqualTo(new[] { "fpu", "vme", "sse2", "lm" }));
        Assert.That(inv.GetProperty("memory").GetProperty("total").GetInt64(), Is.EqualTo(2012345L * 1024));
        Assert.That(inv.GetProperty("memory").GetProperty("physical_mb").GetInt32(), Is.EqualTo(2048),
            "16 online blocks of 128 MiB (the offline one not counted)");
        var vendor = inv.GetProperty("system_vendor");
        Assert.That(vendor.GetProperty("manufacturer").GetString(), Is.EqualTo("QEMU"));
        Assert.That(vendor.GetProperty("product_name").GetString(), Is.EqualTo("Standard PC (Q35 + ICH9, 2009)"));
        Assert.That(vendor.GetProperty("serial_number").GetString(), Is.EqualTo(FakeSysfs.SystemSerial));
        Assert.That(inv.GetProperty("hostname").GetString(), Is.EqualTo("ramdisk-test"));
    }

    [Test]
    public void Disks_skip_removable_and_loop_devices_and_keep_size_model_serial_rotational()
    {
        var disks = Inventory(efi: false).GetProperty("disks").EnumerateArray().ToList();
        Assert.That(disks.Select(d => d.GetProperty("name").GetString()), Is.EqualTo(new[] { "/dev/sda", "/dev/sdc", "/dev/vda" }));
        var sda = disks[0];
        Assert.That(sda.GetProperty("size").GetInt64(), Is.EqualTo(8L << 30));
        Assert.That(sda.GetProperty("model").GetString(), Is.EqualTo("QEMU HARDDISK"), "trailing blanks trimmed");
        Assert.That(sda.GetProperty("vendor").GetString(), Is.EqualTo("ATA"));
        Assert.That(sda.GetProperty("serial").GetString(), Is.EqualTo("SER-B"));
        Assert.That(sda.GetProperty("rotational").GetBoolean(), Is.True);
        Assert.That(sda.GetProperty("wwn").GetString(), Is.EqualTo("naa.5000c500a1b2c3d4"));
        var vda = disks[2];
        Assert.That(vda.GetProperty("size").GetInt64(), Is.EqualTo(20L << 30));
        Assert.That(vda.GetProperty("serial").GetString(), Is.EqualTo("SER-A"), "virtio-blk keeps its serial in /sys/block/vda/serial");
        Assert.That(vda.GetProperty("model").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(disks[1].GetProperty("rotational").GetBoolean(), Is.False);
    }

    [Test]
    public void Interfaces_are_the_ethernet_devices_with_mac_carrier_and_speed()
    {
        var nics = Inventory(efi: false).GetProperty("interfaces").EnumerateArray().ToList();
        Assert.That(nics.Select(n => n.GetProperty("name").GetString()), Is.EqualTo(new[] { "eth0", "eth1" }), "lo is not a NIC");
        Assert.That(nics[0].GetProperty("mac_address").GetString(), Is.EqualTo("52:54:00:aa:bb:01"));
        Assert.That(nics[0].GetProperty("has_carrier").GetBoolean(), Is.True);
        Assert.That(nics[0].GetProperty("speed_mbps").GetInt32(), Is.EqualTo(1000));
        Assert.That(nics[1].GetProperty("has_carrier").GetBoolean(), Is.False);
        Assert.That(nics[1].GetProperty("speed_mbps").ValueKind, Is.EqualTo(JsonValueKind.Null), "speed -1 (unknown) is null");
    }

    [TestCase(true, "uefi")]
    [TestCase(false, "bios")]
    public void Boot_mode_is_uefi_when_sys_firmware_efi_exists(bool efi, string mode)
    {
        var boot = Inventory(efi).GetProperty("boot");
        Assert.That(boot.GetProperty("current_boot_mode").GetString(), Is.EqualTo(mode));
        Assert.That(boot.GetProperty("pxe_interface").GetString(), Is.EqualTo("52:54:00:aa:bb:01"));
    }

    [Test]
    public void All_macs_for_the_lookup_are_the_nics_comma_separated()
    {
        var sys = Path.Combine(_dir.Path, "root");
        FakeSysfs.Create(sys, efi: false);
        var r = AgentShell.Run("all_macs", Path.Combine(_dir.Path, "state"), new Dictionary<string, string> { ["SYSROOT"] = sys });
        Assert.That(r.Stdout, Is.EqualTo("52:54:00:aa:bb:01,52:54:00:aa:bb:02"));
    }
}
