namespace Bifrost.Ramdisk.Tests;

/// <summary>
/// A fake /proc + /sys tree for the agent's SYSROOT: two CPUs, 2 GiB in 16 memory blocks, disks sda (8 GiB), vda
/// (20 GiB), sdc (2 GiB), a removable sdb and a loop device (both skipped), NICs eth0 (carrier, 1 Gb/s), eth1 (no
/// carrier, speed unknown) and lo (skipped), DMI strings with characters JSON must escape, EFI optional.
/// </summary>
public static class FakeSysfs
{
    public const string SystemSerial = "SN\\1\t\"x\"";
    public const string CpuModel = "Fake \"Quantum\" CPU @ 3.00GHz";

    public static void Create(string root, bool efi)
    {
        Write(root, "proc/cpuinfo", string.Concat(Enumerable.Range(0, 2).Select(i =>
            $"processor\t: {i}\nvendor_id\t: GenuineIntel\nmodel name\t: {CpuModel}\nflags\t\t: fpu vme sse2 lm\n\n")));
        Write(root, "proc/meminfo", "MemTotal:        2012345 kB\nMemFree:          100000 kB\n");
        Write(root, "proc/sys/kernel/hostname", "ramdisk-test\n");
        Write(root, "sys/devices/system/memory/block_size_bytes", "8000000\n");
        for (var i = 0; i < 16; i++) Write(root, $"sys/devices/system/memory/memory{i}/online", "1\n");
        Write(root, "sys/devices/system/memory/memory16/online", "0\n");

        Disk(root, "sda", 8L << 30, removable: false, rotational: true, model: "QEMU HARDDISK   ", vendor: "ATA", serial: "SER-B", serialInDevice: true);
        Disk(root, "sdb", 16L << 30, removable: true, rotational: false, model: "USB Stick", vendor: "Kingston", serial: "USB-1", serialInDevice: true);
        Disk(root, "sdc", 2L << 30, removable: false, rotational: false, model: "Small", vendor: "ATA", serial: "SER-C", serialInDevice: true);
        Disk(root, "vda", 20L << 30, removable: false, rotational: true, model: null, vendor: null, serial: "SER-A", serialInDevice: false);
        Disk(root, "loop0", 1L << 30, removable: false, rotational: false, model: null, vendor: null, serial: null, serialInDevice: false);
        Write(root, "sys/block/sda/device/wwid", "naa.5000c500a1b2c3d4\n");

        Nic(root, "eth0", "52:54:00:aa:bb:01", carrier: "1", speed: "1000", type: "1", device: true);
        Nic(root, "eth1", "52:54:00:aa:bb:02", carrier: "0", speed: "-1", type: "1", device: true);
        Nic(root, "lo", "00:00:00:00:00:00", carrier: "1", speed: "", type: "772", device: false);

        Write(root, "sys/class/dmi/id/sys_vendor", "QEMU\n");
        Write(root, "sys/class/dmi/id/product_name", "Standard PC (Q35 + ICH9, 2009)\n");
        Write(root, "sys/class/dmi/id/product_serial", SystemSerial + "\n");
        if (efi) Directory.CreateDirectory(Path.Combine(root, "sys/firmware/efi/efivars"));
    }

    private static void Disk(string root, string name, long bytes, bool removable, bool rotational, string? model,
        string? vendor, string? serial, bool serialInDevice)
    {
        var d = $"sys/block/{name}";
        Write(root, $"{d}/size", $"{bytes / 512}\n");
        Write(root, $"{d}/removable", removable ? "1\n" : "0\n");
        Write(root, $"{d}/queue/rotational", rotational ? "1\n" : "0\n");
        if (model is not null) Write(root, $"{d}/device/model", model + "\n");
        if (vendor is not null) Write(root, $"{d}/device/vendor", vendor + "\n");
        if (serial is not null) Write(root, serialInDevice ? $"{d}/device/serial" : $"{d}/serial", serial + "\n");
    }

    private static void Nic(string root, string name, string mac, string carrier, string speed, string type, bool device)
    {
        var d = $"sys/class/net/{name}";
        Write(root, $"{d}/address", mac + "\n");
        Write(root, $"{d}/carrier", carrier + "\n");
        if (speed.Length > 0) Write(root, $"{d}/speed", speed + "\n");
        Write(root, $"{d}/type", type + "\n");
        if (device) Directory.CreateDirectory(Path.Combine(root, d, "device"));
    }

    private static void Write(string root, string relative, string content)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
