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
        await lab.Daemon!.WaitForLogAsync($"ACK {bound} (renewing)");

        var release = await lab.Net.ExecAsync(ns, TimeSpan.FromSeconds(30), [dhclient, "-r", .. common]);
        Assert.That(release.ExitCode, Is.EqualTo(0), release.Output);
        await lab.Daemon.WaitForLogAsync($"RELEASE → {bound} released");
    }
}

public partial class FullModeTests
{
    private const string NodeMac = "52:54:00:aa:00:01";

    [Test]
    public async Task Udhcpc_claiming_x64_uefi_gets_ipxe_efi_from_the_tftp_server()
    {
        await using var lab = await DhcpLab.CreateAsync("full");
        await lab.StartAsync();
        var ns = await lab.Net.AddClientAsync();

        var (result, events) = await lab.UdhcpcAsync(ns, "arch7", "-V", "PXEClient:Arch:00007:UNDI:003016", "-x", "0x5d:0007");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);
        Assert.That(events, Does.Contain("bound ip=10.77.0.1"));
        Assert.That(events, Does.Contain("boot_file=ipxe.efi"));
        Assert.That(events, Does.Contain("siaddr=10.77.0.1 "));
    }

    [Test]
    public async Task A_node_port_keeps_its_address_across_repeated_doras_and_an_unknown_mac_is_ignored()
    {
        await using var lab = await DhcpLab.CreateAsync("full", ("ServeUnknown", "false"));
        await LabDaemon.SeedPortAsync(lab.StateDir, NodeMac);
        await lab.StartAsync();
        var node = await lab.Net.AddClientAsync(NodeMac);
        var stranger = await lab.Net.AddClientAsync("52:54:00:bb:00:02");

        // PXE ROM, iPXE, kernel, userspace: four separate DORAs of one boot, each must land on the same address.
        var addresses = new List<string>();
        string[][] rounds =
        [
            ["-V", "PXEClient:Arch:00000:UNDI:002001", "-x", "0x5d:0000"],
            ["-V", "PXEClient:Arch:00000:UNDI:002001", "-x", "0x5d:0000", "-x", "0x4d:69505845"],
            [],
            [],
        ];
        for (var i = 0; i < rounds.Length; i++)
        {
            var (result, events) = await lab.UdhcpcAsync(node, $"node{i}", rounds[i]);
            Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);
            addresses.Add(Regex.Match(events, @"bound ip=(\S+)").Groups[1].Value);
        }
        Assert.That(addresses.Distinct(), Has.Exactly(1).Items, string.Join(", ", addresses));
        Assert.That(addresses[0], Does.Match(@"^10\.77\.0\.1\d\d$"));

        var (unknown, unknownEvents) = await lab.UdhcpcAsync(stranger, "stranger");
        Assert.That(unknown.ExitCode, Is.Not.EqualTo(0), "udhcpc -n fails when nobody answers");
        Assert.That(unknownEvents, Does.Not.Contain("bound"));
        await lab.Daemon!.WaitForLogAsync("52:54:00:bb:00:02 is no node's port and ServeUnknown is off");

        // The exchanges are in the node's boot timeline.
        await lab.Daemon.StopAsync();
        await using var store = await TestStoreOver(lab.StateDir);
        var port = await store.GetPortByAddressAsync(NodeMac);
        var history = await store.ListHistoryAsync(port!.NodeUuid);
        var dhcp = history.Where(h => h.EventType == "dhcp").Select(h => h.Event).ToList();
        Assert.That(dhcp, Has.Some.Contains("DISCOVER arch 0 vendor-class PXEClient:Arch:00000:UNDI:002001 → OFFER " + addresses[0] + " boot undionly.kpxe"));
        Assert.That(dhcp, Has.Some.Contains("user-class iPXE → OFFER " + addresses[0] + $" boot http://10.77.0.1:8080/boot/{NodeMac}.ipxe"));
    }

    [Test]
    public async Task Nmap_broadcast_dhcp_discover_sees_the_offer()
    {
        var nmap = Peers.Require("nmap", "nmap");
        await using var lab = await DhcpLab.CreateAsync("full");
        await lab.StartAsync();
        // nmap's script reads the interface's own address to build its frame: give it one outside the pool.
        var ns = await lab.Net.AddClientAsync(address: "10.77.0.4/24");

        var result = await lab.Net.ExecAsync(ns, TimeSpan.FromSeconds(60), nmap, "-e", "eth0", "--script", "broadcast-dhcp-discover");

        Assert.That(result.Output, Does.Contain("Server Identifier: 10.77.0.1"));
        Assert.That(result.Output, Does.Match(@"IP Offered: 10\.77\.0\.1\d\d"));
        Assert.That(result.Output, Does.Contain("Subnet Mask: 255.255.255.0"));
        Assert.That(result.Output, Does.Contain("Router: 10.77.0.1"));
    }

    [Test]
    public async Task Perfdhcp_as_a_relay_gets_every_answer_at_its_giaddr()
    {
        var perfdhcp = Peers.Require("perfdhcp", "kea-admin");
        await using var lab = await DhcpLab.CreateAsync("full");
        await lab.StartAsync();
        var ns = await lab.Net.AddClientAsync(address: "10.77.0.2/24");

        // -l IFACE: perfdhcp relays (giaddr = 10.77.0.2) and listens on 67; 50 DORAs; -W: wait 5 s for late answers
        // after the last one is sent (perfdhcp always waits it out), -p: give up after 30 s. Generous on purpose: on a
        // stalled CI machine OFFERs once took 0.9-3.4 s, and with 2 s and 10 s the test ended before any ACK came.
        var result = await lab.Net.ExecAsync(ns, TimeSpan.FromSeconds(90),
            perfdhcp, "-4", "-g", "single", "-l", "eth0", "-r", "20", "-R", "50", "-n", "50", "-p", "30", "-W", "5000000", "10.77.0.1");

        var output = result.Output;
        var sent = Regex.Matches(output, @"sent packets: (\d+)").Select(m => int.Parse(m.Groups[1].Value)).ToList();
        var received = Regex.Matches(output, @"received packets: (\d+)").Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.That(sent, Has.Count.EqualTo(2), output);
        Assert.That(sent[0], Is.EqualTo(50), output);
        Assert.That(received, Is.EqualTo(sent), output);
        await lab.Daemon!.WaitForLogAsync("→ ACK 10.77.0.1");
    }

    [Test]
    public async Task Leases_survive_a_restart()
    {
        await using var lab = await DhcpLab.CreateAsync("full");
        await lab.StartAsync();
        var first = await lab.Net.AddClientAsync("52:54:00:cc:00:01");
        var second = await lab.Net.AddClientAsync("52:54:00:cc:00:02");

        var (r1, e1) = await lab.UdhcpcAsync(first, "first");
        Assert.That(r1.ExitCode, Is.EqualTo(0), r1.Output);
        var a1 = Regex.Match(e1, @"bound ip=(\S+)").Groups[1].Value;

        await lab.RestartAsync();
        await lab.Daemon!.WaitForLogAsync("loaded 1 leases");

        // Had the lease been lost, the pool's first address (a1) would go to whoever asks first.
        var (r2, e2) = await lab.UdhcpcAsync(second, "second");
        Assert.That(r2.ExitCode, Is.EqualTo(0), r2.Output);
        Assert.That(Regex.Match(e2, @"bound ip=(\S+)").Groups[1].Value, Is.Not.EqualTo(a1));
        var (r3, e3) = await lab.UdhcpcAsync(first, "first-again");
        Assert.That(r3.ExitCode, Is.EqualTo(0), r3.Output);
        Assert.That(Regex.Match(e3, @"bound ip=(\S+)").Groups[1].Value, Is.EqualTo(a1));
    }

    [Test]
    public async Task Garbage_on_the_live_socket_is_dropped_and_a_valid_discover_still_gets_an_offer()
    {
        await using var lab = await DhcpLab.CreateAsync("full");
        await lab.StartAsync();
        var ns = await lab.Net.AddClientAsync(address: "10.77.0.3/24");

        // Random datagrams of many sizes, and a truncated DHCP header, at the server's port 67.
        foreach (var size in new[] { 1, 7, 100, 239, 240, 300, 576, 1400 })
        {
            var send = await lab.Net.ExecAsync(ns, TimeSpan.FromSeconds(10), "bash", "-c",
                $"head -c {size} /dev/urandom > /dev/udp/10.77.0.1/67");
            Assert.That(send.ExitCode, Is.EqualTo(0), send.Output);
        }
        var header = await lab.Net.ExecAsync(ns, TimeSpan.FromSeconds(10), "bash", "-c",
            "(printf '\\001\\001\\006\\000'; head -c 232 /dev/zero; printf 'c\\202Sc5\\377') > /dev/udp/10.77.0.1/67");
        Assert.That(header.ExitCode, Is.EqualTo(0), header.Output);
        await lab.Net.ExecAsync(ns, TimeSpan.FromSeconds(10), "ip", "addr", "flush", "dev", "eth0");

        var (result, events) = await lab.UdhcpcAsync(ns, "after-garbage");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);
        Assert.That(events, Does.Contain("bound ip=10.77.0.1"));
        await lab.Daemon!.WaitForLogAsync("DHCP: dropped");
    }

    private static async Task<StoreHandle> TestStoreOver(string stateDir) =>
        await Task.FromResult(new StoreHandle(Path.Combine(stateDir, "bifrost.db")));

    /// <summary>A store over the daemon's database file after it stopped.</summary>
    private sealed class StoreHandle(string path) : IAsyncDisposable
    {
        private readonly Bifrost.Store.Sqlite.SqliteNodeStore _store = new(new() { DatabasePath = path });

        public Task<Bifrost.Domain.Nodes.Port?> GetPortByAddressAsync(string mac) => _store.GetPortByAddressAsync(mac);

        public Task<IReadOnlyList<Bifrost.Domain.Nodes.NodeHistoryEvent>> ListHistoryAsync(Guid node) => _store.ListHistoryAsync(node);

        public ValueTask DisposeAsync()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            return ValueTask.CompletedTask;
        }
    }
}
