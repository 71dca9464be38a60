using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Host.Tests.Packaging;

/// <summary>systemd/bifrost.service: systemd's own checker accepts it, and it says what the appliance needs.</summary>
public class UnitFileTests
{
    private static string UnitPath => Path.Combine(Repo.Root, "systemd", "bifrost.service");

    private static Dictionary<string, string> Directives() =>
        File.ReadAllLines(UnitPath)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && l[0] is not ('#' or '[') && l.Contains('=', StringComparison.Ordinal))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);

    [Test]
    public async Task Systemd_analyze_verify_passes()
    {
        var analyze = Peers.Require("systemd-analyze", "systemd");
        using var dir = new TempDirectory("bifrost-unit");
        // verify checks that ExecStart exists: point it at the built executable instead of the installed path.
        var apphost = Path.Combine(AppContext.BaseDirectory, "bifrost");
        Assert.That(File.Exists(apphost), Is.True, $"the built apphost {apphost}");
        var unit = Path.Combine(dir.Path, "bifrost.service");
        await File.WriteAllTextAsync(unit, (await File.ReadAllTextAsync(UnitPath)).Replace("/usr/lib/bifrost/bifrost", apphost, StringComparison.Ordinal));
        var r = await Shell.RunAsync(analyze, ["verify", unit], TimeSpan.FromMinutes(2));
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.Output, Does.Not.Contain("bifrost.service:"), "no warning about our unit: " + r.Output);
    }

    private static IEnumerable<TestCaseData> Required()
    {
        TestCaseData Case(string key, string value, string why) => new TestCaseData(key, value).SetName($"{key}={value}: {why}");
        yield return Case("Type", "notify", "Bifrost sends READY=1 once the listeners are bound");
        yield return Case("NotifyAccess", "main", "only the daemon itself may notify");
        yield return Case("Restart", "on-failure", "a crash or a failed watchdog restarts it");
        yield return Case("User", "bifrost", "never root");
        yield return Case("StateDirectory", "bifrost", "/var/lib/bifrost, the only writable place");
        yield return Case("StateDirectoryMode", "0750", "BMC credentials live there");
        yield return Case("ConfigurationDirectory", "bifrost", "/etc/bifrost");
        yield return Case("ProtectSystem", "strict", "the rest of the file system is read-only");
        yield return Case("ProtectHome", "yes", "no access to /home");
        yield return Case("PrivateTmp", "yes", "own /tmp");
        yield return Case("NoNewPrivileges", "yes", "no setuid escalation");
        yield return Case("CapabilityBoundingSet", "CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_NET_BROADCAST", "ports 67/69 and raw DHCP only");
        yield return Case("AmbientCapabilities", "CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_NET_BROADCAST", "granted to the non-root user");
        yield return Case("ExecStart", "/usr/lib/bifrost/bifrost serve --config /etc/bifrost/appsettings.json", "the installed binary and conffile");
    }

    [TestCaseSource(nameof(Required))]
    public void Unit_has(string key, string value)
    {
        var directives = Directives();
        Assert.That(directives.ContainsKey(key), Is.True, $"{key}= is missing");
        Assert.That(directives[key], Is.EqualTo(value));
    }

    [Test]
    public void Watchdog_is_set_and_the_JIT_is_not_broken_by_MemoryDenyWriteExecute()
    {
        var directives = Directives();
        Assert.That(directives, Does.ContainKey("WatchdogSec"));
        Assert.That(directives.GetValueOrDefault("MemoryDenyWriteExecute"), Is.Not.EqualTo("yes"));
    }
}
