using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Ramdisk.Tests;

/// <summary>
/// The ramdisk boots: QEMU (TCG) with the built kernel + initramfs, user networking (the guest reaches the host's
/// loopback as 10.0.2.2, with slirp's DHCP) and a virtio disk file, against <see cref="ScriptedAgentServer"/>. One VM
/// runs the commands in order; each test checks the agent's report and the disk file from the host.
/// </summary>
[Category("EndToEnd")]
[NonParallelizable]
public sealed class RamdiskBootTests
{
    private const string Mac = "52:54:00:5a:00:01";
    private const string DiskSerial = "BIFROST-TEST-DISK";
    private const long DiskSize = 5L << 30;   // ≥ 4 GiB: the default root disk rule picks it
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(6);

    private TempDirectory _dir = null!;
    private ScriptedAgentServer _server = null!;
    private Process? _qemu;
    private string _disk = null!;
    private string _serial = null!;
    private readonly string _node = Guid.NewGuid().ToString();

    [OneTimeSetUp]
    public void Boot()
    {
        var qemu = Peers.Require("qemu-system-x86_64", "qemu-system-x86");
        var ramdisk = RamdiskBuild.Shared;
        _dir = new TempDirectory("bifrost-ramdisk-boot");
        _disk = Path.Combine(_dir.Path, "disk.img");
        _serial = Path.Combine(_dir.Path, "serial.log");
        // A sparse 5 GiB disk whose first and last 2 MiB are non-zero, so erasing is visible.
        using (var f = new FileStream(_disk, FileMode.Create))
        {
            f.SetLength(DiskSize);
            var junk = Enumerable.Repeat((byte)0xAB, 2 << 20).ToArray();
            f.Position = 0; f.Write(junk);
            f.Position = DiskSize - junk.Length; f.Write(junk);
        }
        _server = new ScriptedAgentServer(_node, Mac);
        var psi = new ProcessStartInfo(qemu)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     "-machine", "q35,accel=tcg", "-m", "256", "-smp", "2", "-nographic", "-display", "none", "-monitor", "none",
                     "-serial", $"file:{_serial}", "-kernel", RamdiskBuild.Kernel(ramdisk), "-initrd", RamdiskBuild.Initramfs(ramdisk),
                     "-append", $"console=ttyS0 no_timer_check bifrost.api=http://10.0.2.2:{_server.Port} bifrost.node={_node}",
                     "-netdev", "user,id=n0", "-device", $"virtio-net-pci,netdev=n0,mac={Mac},romfile=",
                     // writethrough: what the guest flushed is in the file when the host reads it.
                     "-drive", $"file={_disk},format=raw,if=none,id=d0,cache=writethrough",
                     "-device", $"virtio-blk-pci,drive=d0,serial={DiskSerial}",
                 })
            psi.ArgumentList.Add(a);
        _qemu = Process.Start(psi) ?? throw new InvalidOperationException("cannot start qemu");
        _qemu.OutputDataReceived += (_, _) => { };
        _qemu.ErrorDataReceived += (_, e) => { if (e.Data is not null) TestContext.Progress.WriteLine($"qemu: {e.Data}"); };
        _qemu.BeginOutputReadLine();
        _qemu.BeginErrorReadLine();
    }

    [OneTimeTearDown]
    public async Task Shutdown()
    {
        if (_qemu is { HasExited: false }) _qemu.Kill(entireProcessTree: true);
        _qemu?.Dispose();
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    [TearDown]
    public void SaveSerialLogOnFailure()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status != NUnit.Framework.Interfaces.TestStatus.Failed) return;
        var saved = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"ramdisk-serial-{TestContext.CurrentContext.Test.Name}.log");
        if (File.Exists(_serial)) File.Copy(_serial, saved, overwrite: true);
        TestContext.Out.WriteLine($"serial log saved as {saved}; server events: {string.Join(" | ", _server.Events)}");
        if (File.Exists(saved)) TestContext.Out.WriteLine(string.Join('\n', File.ReadLines(saved).TakeLast(40)));
    }

    private async Task<JsonElement> Run(string lines)
    {
        var report = _server.RunAsync(lines);
        var done = await Task.WhenAny(report, Task.Delay(CommandTimeout));
        Assert.That(done, Is.SameAs(report), $"the agent did not finish `{lines.Split('\n')[0]}` in {CommandTimeout}");
        return await report;
    }

    private byte[] DiskBytes(long offset, int count)
    {
        using var f = new FileStream(_disk, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var buffer = new byte[count];
        f.Position = offset;
        f.ReadExactly(buffer);
        return buffer;
    }

    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);

    [Test, Order(1)]
    public async Task Inspect_reports_the_vms_cpus_memory_disk_and_mac()
    {
        var report = await Run("command=inspect\n");
        Assert.That(report.GetProperty("status").GetString(), Is.EqualTo("succeeded"), report.ToString());
        var inv = report.GetProperty("result").GetProperty("inventory");
        Assert.That(inv.GetProperty("cpu").GetProperty("count").GetInt32(), Is.EqualTo(2));
        Assert.That(inv.GetProperty("memory").GetProperty("physical_mb").GetInt32(), Is.EqualTo(256));
        var disk = inv.GetProperty("disks").EnumerateArray().Single();
        Assert.That(disk.GetProperty("name").GetString(), Is.EqualTo("/dev/vda"));
        Assert.That(disk.GetProperty("size").GetInt64(), Is.EqualTo(DiskSize));
        Assert.That(disk.GetProperty("serial").GetString(), Is.EqualTo(DiskSerial));
        var nic = inv.GetProperty("interfaces").EnumerateArray().Single();
        Assert.That(nic.GetProperty("mac_address").GetString(), Is.EqualTo(Mac));
        Assert.That(nic.GetProperty("ipv4_address").GetString(), Is.EqualTo("10.0.2.15"), "slirp's DHCP lease");
        Assert.That(inv.GetProperty("boot").GetProperty("current_boot_mode").GetString(), Is.EqualTo("bios"));
        Assert.That(_server.Lookups, Is.GreaterThanOrEqualTo(1));
        Assert.That(_server.RejectedTokens, Is.Zero, "every heartbeat carried the lookup's token");
    }

    [Test, Order(2)]
    public async Task Erase_devices_metadata_zeroes_the_first_and_last_MiB()
    {
        var report = await Run("command=erase_devices_metadata\n");
        Assert.That(report.GetProperty("status").GetString(), Is.EqualTo("succeeded"), report.ToString());
        var entry = report.GetProperty("result").GetProperty("disks").EnumerateArray().Single();
        Assert.That(entry.GetProperty("device").GetString(), Is.EqualTo("/dev/vda"));
        Assert.That(entry.GetProperty("serial").GetString(), Is.EqualTo(DiskSerial));
        Assert.That(entry.GetProperty("method").GetString(), Is.EqualTo("metadata"));
        Assert.That(entry.GetProperty("result").GetString(), Is.EqualTo("ok"));
        Assert.That(DiskBytes(0, 1 << 20).All(b => b == 0), Is.True, "first MiB zero");
        Assert.That(DiskBytes(DiskSize - (1 << 20), 1 << 20).All(b => b == 0), Is.True, "last MiB zero");
        Assert.That(DiskBytes(1 << 20, 16).All(b => b == 0xAB), Is.True, "only the first MiB: the second is untouched");
    }

    private static byte[] RandomImage(int seed, int size)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }

    private async Task WriteAndVerify(string name, byte[] plain, byte[] served, string format, string algo, string hash)
    {
        _server.Files[name] = served;
        var report = await Run($"command=write_image\nimage_url=http://10.0.2.2:{_server.Port}/images/{name}\n" +
                               $"image_format={format}\nimage_hash_algo={algo}\nimage_hash={hash}\nimage_size={served.Length}\n" +
                               "root_device_name=\nroot_device_size_gb=\nroot_device_serial=\nconfigdrive_url=\nconfigdrive_format=\n");
        Assert.That(report.GetProperty("status").GetString(), Is.EqualTo("succeeded"), report.ToString());
        var result = report.GetProperty("result");
        Assert.That(result.GetProperty("device").GetString(), Is.EqualTo("/dev/vda"));
        Assert.That(result.GetProperty("bytes_written").GetInt64(), Is.EqualTo(plain.Length));
        Assert.That(result.GetProperty("hash").GetString(), Is.EqualTo(hash));
        Assert.That(DiskBytes(0, plain.Length), Is.EqualTo(plain), "the disk starts with the image");
    }

    [Test, Order(3)]
    public async Task Write_image_raw_with_sha256()
    {
        var image = RandomImage(3, 3 << 20);
        await WriteAndVerify("a.raw", image, image, "raw", "sha256", Hex(SHA256.HashData(image)));
    }

    [Test, Order(4)]
    public async Task Write_image_gzip_with_sha512_of_the_compressed_bytes()
    {
        var image = RandomImage(4, (2 << 20) + 12345);
        using var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) z.Write(image);
        var served = gz.ToArray();
        await WriteAndVerify("b.raw.gz", image, served, "gzip", "sha512", Hex(SHA512.HashData(served)));
    }

    [Test, Order(5)]
    public async Task Write_image_zstd_with_md5()
    {
        var zstd = Peers.Require("zstd", "zstd");
        var image = RandomImage(5, 2 << 20);
        var plainFile = Path.Combine(_dir.Path, "c.raw");
        await File.WriteAllBytesAsync(plainFile, image);
        using (var p = Process.Start(new ProcessStartInfo(zstd) { ArgumentList = { "-q", "-f", plainFile, "-o", plainFile + ".zst" }, UseShellExecute = false })!)
        {
            await p.WaitForExitAsync();
            Assert.That(p.ExitCode, Is.Zero);
        }
        var served = await File.ReadAllBytesAsync(plainFile + ".zst");
#pragma warning disable CA5351 // md5 is one of the image checksums Ironic accepts; the agent must verify it
        var md5 = Hex(MD5.HashData(served));
#pragma warning restore CA5351
        await WriteAndVerify("c.raw.zst", image, served, "zstd", "md5", md5);
    }

    [Test, Order(6)]
    public async Task A_wrong_hash_fails_naming_the_algorithm_and_both_hashes()
    {
        var image = RandomImage(6, 1 << 20);
        _server.Files["d.raw"] = image;
        var wrong = new string('0', 64);
        var report = await Run($"command=write_image\nimage_url=http://10.0.2.2:{_server.Port}/images/d.raw\nimage_format=raw\n" +
                               $"image_hash_algo=sha256\nimage_hash={wrong}\n");
        Assert.That(report.GetProperty("status").GetString(), Is.EqualTo("failed"));
        var message = report.GetProperty("message").GetString();
        Assert.That(message, Does.Contain("sha256").And.Contain(wrong).And.Contain(Hex(SHA256.HashData(image))));
        Assert.That(_server.LastLogTail, Does.Contain("image checksum mismatch"), "a failed command comes with the agent's log tail");
    }

    [Test, Order(7)]
    public async Task A_config_drive_tar_becomes_a_partition_labelled_config_2()
    {
        Peers.Require("blkid", "util-linux");
        var mtype = Peers.Require("mtype", "mtools");
        // An 8 MiB MBR image with one partition (sectors 2048-6143): the config drive goes after it.
        var image = new byte[8 << 20];
        image[446 + 4] = 0x83;
        BitConverter.TryWriteBytes(image.AsSpan(446 + 8), 2048u);
        BitConverter.TryWriteBytes(image.AsSpan(446 + 12), 4096u);
        image[510] = 0x55; image[511] = 0xAA;
        _server.Files["e.raw"] = image;
        var metaData = "{\"uuid\": \"" + _node + "\", \"hostname\": \"ramdisk-test\"}";
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var d in new[] { "openstack/", "openstack/latest/" })
                writer.WriteEntry(new UstarTarEntry(TarEntryType.Directory, d));
            var entry = new UstarTarEntry(TarEntryType.RegularFile, "openstack/latest/meta_data.json")
            {
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes(metaData)),
            };
            writer.WriteEntry(entry);
        }
        _server.Files["configdrive"] = tar.ToArray();
        var report = await Run($"command=write_image\nimage_url=http://10.0.2.2:{_server.Port}/images/e.raw\nimage_format=raw\n" +
                               $"image_hash_algo=sha256\nimage_hash={Hex(SHA256.HashData(image))}\n" +
                               $"configdrive_url=http://10.0.2.2:{_server.Port}/v1/agent/{_node}/configdrive\nconfigdrive_format=tar\n");
        Assert.That(report.GetProperty("status").GetString(), Is.EqualTo("succeeded"), report.ToString());
        Assert.That(report.GetProperty("result").GetProperty("configdrive").GetString(), Is.EqualTo("/dev/vda2"));

        var mbr = DiskBytes(0, 512);
        Assert.That(mbr[446 + 16 + 4], Is.Not.Zero, "a second partition exists");
        var start = BitConverter.ToUInt32(mbr, 446 + 16 + 8);
        Assert.That(start, Is.EqualTo(6144u), "right after the image's last partition, MiB-aligned");
        var offset = start * 512L;
        var blkid = Sh("blkid", "-p", "-O", offset.ToString(System.Globalization.CultureInfo.InvariantCulture), "-s", "LABEL", "-o", "value", _disk);
        Assert.That(blkid.Trim(), Is.EqualTo("config-2"));
        var content = Sh(mtype, "-i", $"{_disk}@@{offset}", "::openstack/latest/meta_data.json");
        Assert.That(content, Is.EqualTo(metaData));
        Assert.That(DiskBytes(0, 446), Is.EqualTo(image.AsSpan(0, 446).ToArray()), "the image's boot code is untouched");
    }

    [Test, Order(8)]
    public async Task An_unknown_command_fails_with_its_name()
    {
        var report = await Run("command=frobnicate\n");
        Assert.That(report.GetProperty("status").GetString(), Is.EqualTo("failed"));
        Assert.That(report.GetProperty("message").GetString(), Is.EqualTo("unknown command frobnicate"));
    }

    private static string Sh(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.Zero, $"{file} {string.Join(' ', args)}: {stderr.Result}");
        return stdout.Result;
    }
}
