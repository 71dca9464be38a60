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
