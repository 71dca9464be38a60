using Bifrost.Servers.HttpBoot;
using Bifrost.TestKit;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.HttpBoot;

public class IpxeBinariesTests
{
    private static (TempDirectory Tmp, string Source, string Tftp) Layout()
    {
        var tmp = new TempDirectory("ipxe");
        var source = Path.Combine(tmp.Path, "usr-lib-ipxe");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "undionly.kpxe"), "bios");
        File.WriteAllText(Path.Combine(source, "ipxe.efi"), "efi");
        return (tmp, source, Path.Combine(tmp.Path, "tftp"));
    }

    [Test]
    public void Installs_what_the_package_ships_then_copies_only_changes()
    {
        var (tmp, source, tftp) = Layout();
        using var _ = tmp;
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var log = factory.CreateLogger("ipxe");

        Assert.That(IpxeBinaries.Install(source, tftp, log), Is.EquivalentTo(new[] { "undionly.kpxe", "ipxe.efi" }));
        Assert.That(File.ReadAllText(Path.Combine(tftp, "ipxe.efi")), Is.EqualTo("efi"));
        Assert.That(IpxeBinaries.Install(source, tftp, log), Is.Empty, "unchanged files are not copied again");

        File.WriteAllText(Path.Combine(source, "ipxe.efi"), "efi v2");
        Assert.That(IpxeBinaries.Install(source, tftp, log), Is.EqualTo(new[] { "ipxe.efi" }));
        Assert.That(File.ReadAllText(Path.Combine(tftp, "ipxe.efi")), Is.EqualTo("efi v2"));
        Assert.That(Directory.GetFiles(tftp, "*.tmp"), Is.Empty);
    }

    [Test]
    public void An_operators_own_binary_is_never_overwritten_but_Bifrosts_copies_follow_package_upgrades()
    {
        var (tmp, source, tftp) = Layout();
        using var _ = tmp;
        using var factory = LoggerFactory.Create(b => b.AddProvider(new CapturingLoggerProvider()));
        var log = factory.CreateLogger("ipxe");
        Directory.CreateDirectory(tftp);
        File.WriteAllText(Path.Combine(tftp, "ipxe.efi"), "my own iPXE with an embedded script");

        Assert.That(IpxeBinaries.Install(source, tftp, log), Is.EqualTo(new[] { "undionly.kpxe" }));
        File.WriteAllText(Path.Combine(source, "ipxe.efi"), "efi v2");
        File.WriteAllText(Path.Combine(source, "undionly.kpxe"), "bios v2");
        File.SetLastWriteTimeUtc(Path.Combine(source, "undionly.kpxe"), DateTime.UtcNow.AddMinutes(1));

        Assert.That(IpxeBinaries.Install(source, tftp, log), Is.EqualTo(new[] { "undionly.kpxe" }), "an upgrade of a file Bifrost installed is followed");
        Assert.That(File.ReadAllText(Path.Combine(tftp, "ipxe.efi")), Is.EqualTo("my own iPXE with an embedded script"));
        Assert.That(File.ReadAllText(Path.Combine(tftp, "undionly.kpxe")), Is.EqualTo("bios v2"));
        Assert.That(File.Exists(Path.Combine(tftp, "tftp.installed")), Is.False, "the record is outside the TFTP root");
    }

    [Test]
    public void A_missing_package_is_a_warning_not_a_crash()
    {
        using var tmp = new TempDirectory("ipxe");
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var installed = IpxeBinaries.Install(Path.Combine(tmp.Path, "nope"), Path.Combine(tmp.Path, "tftp"), factory.CreateLogger("ipxe"));
        Assert.That(installed, Is.Empty);
        Assert.That(logs.Lines, Has.Some.StartsWith("Warning").And.Contains("Debian package ipxe"));
    }

    [Test]
    public void Debians_package_fills_the_tftp_root_of_the_daemon()
    {
        if (!File.Exists("/usr/lib/ipxe/undionly.kpxe"))
            Assert.Fail("/usr/lib/ipxe/undionly.kpxe is missing (Debian package ipxe; tests/run.sh installs it)");
        using var tmp = new TempDirectory("ipxe");
        var tftp = Path.Combine(tmp.Path, "tftp");
        using var factory = LoggerFactory.Create(_ => { });
        IpxeBinaries.Install(IpxeBinaries.DebianSource, tftp, factory.CreateLogger("ipxe"));
        foreach (var f in new[] { "undionly.kpxe", "ipxe.efi", "snponly.efi" })
            Assert.That(File.ReadAllBytes(Path.Combine(tftp, f)), Is.EqualTo(File.ReadAllBytes(Path.Combine("/usr/lib/ipxe", f))), f);
    }
}
