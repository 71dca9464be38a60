using System.Diagnostics;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Host.Tests.Packaging;

/// <summary>
/// packaging/build-deb.sh builds the .deb; lintian finds no error; packaging/test-install.sh installs it into a clean
/// Debian 12 root (debootstrap), runs the installed check-config and serve (as user bifrost, API on loopback), then
/// removes and purges it and compares the file lists. Needs root (chroot, mounts) and the mirror in /etc/apt.
/// </summary>
[Category("EndToEnd")]
public class DebianPackageTests
{
    private TempDirectory _out = null!;
    private string _deb = null!;

    [OneTimeSetUp]
    public async Task Build()
    {
        if (!Peers.IsRoot) Assert.Ignore("building and installing the package into a chroot needs root");
        Peers.Require("dpkg-deb", "dpkg");
        Peers.Require("python3", "python3");
        _out = new TempDirectory("bifrost-deb");
        var watch = Stopwatch.StartNew();
        var r = await Shell.RunAsync("bash", [Path.Combine(Repo.Root, "packaging", "build-deb.sh"), _out.Path], TimeSpan.FromMinutes(25), Repo.Root);
        TestContext.Progress.WriteLine($"build-deb.sh: {watch.Elapsed.TotalSeconds:F0} s");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        _deb = r.Output.Trim().Split('\n')[^1].Trim();
        Assert.That(File.Exists(_deb), Is.True, r.ToString());
    }

    [OneTimeTearDown]
    public void Clean() => _out?.Dispose();

    [Test]
    public async Task Lintian_reports_no_errors()
    {
        var lintian = Peers.Require("lintian", "lintian");
        var r = await Shell.RunAsync(lintian, ["--tag-display-limit", "0", _deb], TimeSpan.FromMinutes(10));
        TestContext.Progress.WriteLine($"lintian:\n{r.Output}");
        var errors = r.Output.Split('\n').Where(l => l.StartsWith("E: ", StringComparison.Ordinal)).ToList();
        Assert.That(errors, Is.Empty, r.Output);
    }

    [Test]
    public async Task Package_contents_and_control()
    {
        var contents = await Shell.RunAsync("dpkg-deb", ["-c", _deb], TimeSpan.FromMinutes(2));
        foreach (var path in new[]
                 {
                     "./usr/lib/bifrost/bifrost", "./usr/bin/bifrost -> ../lib/bifrost/bifrost", "./etc/bifrost/appsettings.json",
                     "./lib/systemd/system/bifrost.service", "./usr/share/doc/bifrost/copyright", "./usr/share/doc/bifrost/changelog.gz",
                 })
            Assert.That(contents.Output, Does.Contain(path));
        Assert.That(contents.Output, Does.Match(@"-rwxr-xr-x root/root\s+\d+ \S+ \S+ \./usr/lib/bifrost/bifrost\n"));
        var control = await Shell.RunAsync("dpkg-deb", ["-f", _deb], TimeSpan.FromMinutes(2));
        Assert.That(control.Output, Does.Match(@"Depends: .*\bipxe\b"));
        Assert.That(control.Output, Does.Match(@"Depends: .*\bca-certificates\b"));
        var conffiles = await Shell.RunAsync("dpkg-deb", ["-I", _deb, "conffiles"], TimeSpan.FromMinutes(2));
        Assert.That(conffiles.Output.Trim(), Is.EqualTo("/etc/bifrost/appsettings.json"));
    }

    [Test]
    public async Task Installs_serves_removes_and_purges_cleanly_in_a_clean_Debian_12_root()
    {
        Peers.Require("debootstrap", "debootstrap");
        Peers.Require("curl", "curl");
        var watch = Stopwatch.StartNew();
        var r = await Shell.RunAsync("bash", [Path.Combine(Repo.Root, "packaging", "test-install.sh"), _deb], TimeSpan.FromMinutes(30));
        TestContext.Progress.WriteLine($"test-install.sh ({watch.Elapsed.TotalSeconds:F0} s):\n{r.Output}");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.Output, Does.Match(@"(?m)^PASS \d+$"), r.ToString());
    }
}
