using System.Text.RegularExpressions;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.Dhcp.Lab;

/// <summary>Bifrost's DHCP (full mode) against real clients in network namespaces.</summary>
[Category("EndToEnd")]
[NonParallelizable]
public partial class FullModeTests
{
    [Test]
    public async Task Dhclient_gets_a_pool_address_renews_and_releases()
    {
        var dhclient = Peers.Require("dhclient", "isc-dhcp-client");
        await using var lab = await DhcpLab.CreateAsync("full", ("LeaseTime", "60"));
        await lab.StartAsync();
        var ns = await lab.Net.AddClientAsync();

        var events = Path.Combine(lab.Dir.Path, "dhclient.events");
        var script = Path.Combine(lab.Dir.Path, "dhclient.sh");
        File.WriteAllText(script, $"""
            #!/bin/sh
            echo "$reason $new_ip_address" >> '{events}'
            case "$reason" in BOUND|RENEW|REBIND|REBOOT) ip addr replace "$new_ip_address/24" dev "$interface" ;; esac
            exit 0

            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var lease = Path.Combine(lab.Dir.Path, "dhclient.leases");
        var pid = Path.Combine(lab.Dir.Path, "dhclient.pid");
        string[] common = ["-4", "-sf", script, "-lf", lease, "-pf", pid, "eth0"];

        // Foreground dhclient keeps the lease and renews at T1 = 30 s (lease 60 s) by unicast REQUEST (RENEWING).
        var client = lab.Net.Start(ns, Path.Combine(lab.Dir.Path, "dhclient.log"), null, [dhclient, "-d", "-v", .. common]);
        await NetLab.WaitForTextAsync(events, "BOUND", TimeSpan.FromSeconds(30), client);
        var bound = Regex.Match(NetLab.ReadShared(events), @"BOUND (\S+)").Groups[1].Value;
        Assert.That(bound, Does.Match(@"^10\.77\.0\.1\d\d$"), "an address from the pool .100-.199");

        await NetLab.WaitForTextAsync(events, "RENEW " + bound, TimeSpan.FromSeconds(60), client);
        Assert.That(lab.Daemon!.ReadLog(), Does.Contain($"ACK {bound} (renewing)"));

        var release = await lab.Net.ExecAsync(ns, TimeSpan.FromSeconds(30), [dhclient, "-r", .. common]);
        Assert.That(release.ExitCode, Is.EqualTo(0), release.Output);
        await NetLab.WaitForTextAsync(lab.Daemon.LogFile, $"RELEASE → {bound} released", TimeSpan.FromSeconds(10));
    }
}
