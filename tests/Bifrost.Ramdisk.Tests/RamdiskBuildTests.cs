using System.Diagnostics;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Ramdisk.Tests;

/// <summary>packaging/ramdisk/build.sh and the <c>bifrost ramdisk build</c> verb: reproducible, small, complete.</summary>
[Category("EndToEnd")]
public sealed class RamdiskBuildTests
{
    [Test]
    public void The_verb_builds_into_StateDir_ramdisk_the_same_bytes_as_the_script_under_60_MB()
    {
        var first = RamdiskBuild.Shared;
        using var dir = new TempDirectory("bifrost-ramdisk-verb");
        File.WriteAllText(Path.Combine(dir.Path, "appsettings.json"), "{\"Bifrost\": {\"StateDir\": \"state\"}}");
        var psi = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { BifrostProcess.DllPath, "ramdisk", "build", "--cache", RamdiskBuild.Cache },
            WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using (var p = Process.Start(psi)!)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromMinutes(20))) { p.Kill(true); Assert.Fail("bifrost ramdisk build hangs"); }
            Assert.That(p.ExitCode, Is.Zero, $"{stdout.Result}\n{stderr.Result}");
        }
        var second = Path.Combine(dir.Path, "state", "ramdisk");

        Assert.That(File.ReadAllBytes(RamdiskBuild.Kernel(second)), Is.EqualTo(File.ReadAllBytes(RamdiskBuild.Kernel(first))));
        Assert.That(File.ReadAllBytes(RamdiskBuild.Initramfs(second)), Is.EqualTo(File.ReadAllBytes(RamdiskBuild.Initramfs(first))),
            "two builds of the same packages give the same initramfs bytes");
        var total = new FileInfo(RamdiskBuild.Kernel(first)).Length + new FileInfo(RamdiskBuild.Initramfs(first)).Length;
        Assert.That(total, Is.LessThan(60L * 1024 * 1024), "kernel + initramfs under 60 MB");
    }

    [Test]
    public void The_initramfs_holds_init_the_agent_busybox_zstd_the_stream_tools_with_their_libraries_and_the_rack_modules()
    {
        var list = Sh($"gzip -dc '{RamdiskBuild.Initramfs(RamdiskBuild.Shared)}' | cpio -it --quiet");
        var files = list.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        foreach (var f in new[]
                 {
                     "init", "bin/busybox", "bin/sh", "sbin/modprobe", "usr/bin/nc", "usr/lib/bifrost-agent/agent.sh",
                     "usr/lib/bifrost-agent/lib.sh", "usr/lib/bifrost-agent/http.sh", "usr/lib/bifrost-agent/commands.sh",
                     "usr/bin/zstd", "lib64/ld-linux-x86-64.so.2", "lib/x86_64-linux-gnu/libc.so.6",
                     "lib/x86_64-linux-gnu/liblzma.so.5", "lib/x86_64-linux-gnu/liblz4.so.1", "lib/x86_64-linux-gnu/libz.so.1", "etc/bifrost-modules",
                     "usr/lib/bifrost-agent/bin/nettle-hash", "usr/lib/bifrost-agent/bin/tee", "lib/x86_64-linux-gnu/libnettle.so.8",
                 })
            Assert.That(files, Does.Contain(f));
        foreach (var module in new[] { "virtio_net", "virtio_blk", "virtio_scsi", "e1000", "e1000e", "igb", "ixgbe", "ahci", "nvme", "sd_mod", "vfat", "net_failover" })
            Assert.That(files.Any(f => f.EndsWith($"/{module}.ko", StringComparison.Ordinal)), Is.True, $"{module}.ko in the initramfs");
        var modulesDep = files.Single(f => f.EndsWith("/modules.dep", StringComparison.Ordinal));
        var dep = Sh($"gzip -dc '{RamdiskBuild.Initramfs(RamdiskBuild.Shared)}' | cpio -i --quiet --to-stdout '{modulesDep}'");
        Assert.That(dep.Split('\n').Single(l => l.Contains("/virtio_net.ko:", StringComparison.Ordinal)), Does.Contain("net_failover.ko"),
            "depmod resolved virtio_net's dependencies");
    }

    private static string Sh(string command)
    {
        var psi = new ProcessStartInfo("sh") { ArgumentList = { "-c", command }, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.Zero, stderr.Result);
        return stdout.Result;
    }
}
