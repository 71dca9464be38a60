using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.Dhcp.Lab;

/// <summary>Issue 6's "/metrics counters move after DHCP traffic", and /readyz naming the DHCP server, on the real
/// daemon in the namespace lab (its API listens on the server namespace's own loopback).</summary>
public partial class FullModeTests
{
    private static async Task<string> ApiGetAsync(DhcpLab lab, string path)
    {
        var curl = Peers.Require("curl", "curl");
        var result = await lab.Net.ExecAsync(lab.Net.Server, TimeSpan.FromSeconds(20),
            curl, "-s", "-w", "HTTP %{http_code}\n", $"http://127.0.0.1:6385{path}");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);
        return result.Stdout;
    }

    private static double Sum(PrometheusScrape scrape, string name, string type) =>
        scrape.Samples.Where(s => s.Name == name && s.Labels.TryGetValue("message_type", out var t) && t == type).Sum(s => s.Value);

    [Test]
    public async Task A_dora_moves_the_dhcp_counters_and_the_lease_gauge_and_readyz_reports_dhcp_bound()
    {
        await using var lab = await DhcpLab.CreateAsync("full");
        await lab.StartAsync();
        var ns = await lab.Net.AddClientAsync();

        var ready = await ApiGetAsync(lab, "/readyz");
        Assert.That(ready, Does.Contain("ready").And.Contain("HTTP 200"), "DHCP sockets bound: ready");

        static PrometheusScrape Parse(string output) => PrometheusScrape.Parse(output[..output.LastIndexOf("HTTP ", StringComparison.Ordinal)]);
        var before = Parse(await ApiGetAsync(lab, "/metrics"));
        var (result, events) = await lab.UdhcpcAsync(ns, "metrics");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);
        Assert.That(events, Does.Contain("bound ip=10.77.0.1"));
        var after = Parse(await ApiGetAsync(lab, "/metrics"));

        Assert.Multiple(() =>
        {
            Assert.That(Sum(after, "bifrost_dhcp_packets_in_total", "discover") - Sum(before, "bifrost_dhcp_packets_in_total", "discover"),
                Is.GreaterThanOrEqualTo(1), "DISCOVER counted");
            Assert.That(Sum(after, "bifrost_dhcp_packets_in_total", "request") - Sum(before, "bifrost_dhcp_packets_in_total", "request"),
                Is.GreaterThanOrEqualTo(1), "REQUEST counted");
            Assert.That(after.Samples.Where(s => s.Name == "bifrost_dhcp_packets_out_total").Sum(s => s.Value),
                Is.GreaterThan(before.Samples.Where(s => s.Name == "bifrost_dhcp_packets_out_total").Sum(s => s.Value)), "OFFER/ACK counted");
            Assert.That(after.Samples.Single(s => s.Name == "bifrost_dhcp_leases_active").Value, Is.GreaterThanOrEqualTo(1), "the lease is active");
        });
    }
}

/// <summary>The optional IPv6 router advertisement (lifetime 0) of issue 4, seen by a real IPv6 client (rdisc6).</summary>
public partial class FullModeTests
{
    [Test]
    public async Task Rdisc6_gets_a_router_advertisement_of_lifetime_0_with_no_address_configuration()
    {
        var rdisc6 = Peers.Require("rdisc6", "ndisc6");
        await using var lab = await DhcpLab.CreateAsync("full");
        await lab.StartAsync();
        var ns = await lab.Net.AddClientAsync();

        await WaitLinkLocalAsync(lab, ns);
        // -1: stop at the first answer; retries cover the server's own link-local address still being tentative.
        var result = await lab.Net.ExecAsync(ns, TimeSpan.FromSeconds(40), rdisc6, "-1", "-r", "10", "-w", "2000", "eth0");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Output + "\n--- bifrost ---\n" + lab.Daemon!.ReadLog());
        Assert.That(result.Stdout, Does.Match(@"Router lifetime\s*:\s*0 "), result.Stdout);
        Assert.That(result.Stdout, Does.Match(@"Stateful address conf\.\s*:\s*No"));
        Assert.That(result.Stdout, Does.Match(@"Stateful other conf\.\s*:\s*No"));
        Assert.That(result.Stdout, Does.Not.Contain("Prefix"), "no prefix: nobody autoconfigures an address from us");
        await lab.Daemon.WaitForLogAsync("router solicitation from");
    }

    [Test]
    public async Task With_router_advertisements_off_rdisc6_gets_no_answer()
    {
        var rdisc6 = Peers.Require("rdisc6", "ndisc6");
        await using var lab = await DhcpLab.CreateAsync("full", ("RouterAdvertisement", "false"));
        await lab.StartAsync();
        var ns = await lab.Net.AddClientAsync();

        await WaitLinkLocalAsync(lab, ns);
        var result = await lab.Net.ExecAsync(ns, TimeSpan.FromSeconds(30), rdisc6, "-1", "-r", "3", "-w", "1000", "eth0");

        Assert.That(result.ExitCode, Is.Not.EqualTo(0), result.Output);
        Assert.That(result.Stdout, Does.Not.Contain("Router lifetime"));
    }

    /// <summary>A fresh interface's link-local address is "tentative" for a second or two (duplicate address
    /// detection); until then nothing can be sent from it.</summary>
    private static async Task WaitLinkLocalAsync(DhcpLab lab, string ns)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var show = await lab.Net.ExecAsync(ns, TimeSpan.FromSeconds(10), "ip", "-6", "addr", "show", "dev", "eth0", "scope", "link");
            if (show.Stdout.Contains("fe80", StringComparison.Ordinal) && !show.Stdout.Contains("tentative", StringComparison.Ordinal)) return;
            if (DateTime.UtcNow > deadline) Assert.Fail($"eth0 in {ns} has no usable link-local address: {show.Output}");
            await Task.Delay(250);
        }
    }
}
