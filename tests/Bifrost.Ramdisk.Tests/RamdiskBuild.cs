using System.Diagnostics;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Ramdisk.Tests;

/// <summary>
/// Builds the deploy ramdisk with packaging/ramdisk/build.sh. The downloaded .debs are kept in
/// /var/cache/bifrost-test/ramdisk so CI downloads them once, not once per build; one build is shared by every test
/// of a run (<see cref="Shared"/>).
/// </summary>
public static class RamdiskBuild
{
    private static readonly Lazy<string> SharedBuild = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), $"bifrost-ramdisk-shared-{Environment.ProcessId}");
        Run(dir);
        return dir;
    });

    public static string Script => Path.Combine(Repo.Root, "packaging", "ramdisk", "build.sh");

    public static string Cache
    {
        get
        {
            try
            {
                return Directory.CreateDirectory("/var/cache/bifrost-test/ramdisk").FullName;
            }
            catch (UnauthorizedAccessException)
            {
                return Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "bifrost-test-cache", "ramdisk")).FullName;
            }
        }
    }

    /// <summary>The output directory of this run's shared build (built on first use).</summary>
    public static string Shared => SharedBuild.Value;

    public static bool SharedWasBuilt => SharedBuild.IsValueCreated;

    public static void RequireTools()
    {
        Peers.Require("apt-get", "apt");
        Peers.Require("cpio", "cpio");
        Peers.Require("depmod", "kmod");
        Peers.Require("readelf", "binutils");
    }

    public static void Run(string output)
    {
        RequireTools();
        var psi = new ProcessStartInfo("bash")
        {
            ArgumentList = { Script, "--output", output, "--cache", Cache },
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start build.sh");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(20)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("build.sh did not finish in 20 minutes");
        }
        Assert.That(p.ExitCode, Is.Zero, $"build.sh failed:\n{stdout.Result}\n{stderr.Result}");
    }

    public static string Kernel(string dir) => Path.Combine(dir, "bifrost-agent.kernel");
    public static string Initramfs(string dir) => Path.Combine(dir, "bifrost-agent.initramfs");
}

/// <summary>Removes this run's shared build and busybox applet links.</summary>
[SetUpFixture]
public sealed class RamdiskBuildCleanup
{
    [OneTimeTearDown]
    public void RemoveSharedBuild()
    {
        var dirs = new List<string> { Path.Combine(Path.GetTempPath(), $"bifrost-busybox-applets-{Environment.ProcessId}") };
        if (RamdiskBuild.SharedWasBuilt) dirs.Add(RamdiskBuild.Shared);
        foreach (var dir in dirs.Where(Directory.Exists))
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
