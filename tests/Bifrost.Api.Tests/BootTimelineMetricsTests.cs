using Bifrost.Api.Metrics;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.Timeline;
using Bifrost.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bifrost.Api.Tests;

/// <summary>Boot hops show in /metrics by type and outcome, and a matched hop lands in the node's history.</summary>
public sealed class BootTimelineMetricsTests
{
    [Test]
    public async Task Hops_are_counted_as_recorded_or_unmatched_by_type()
    {
        using var exporter = new PrometheusExporter();
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake("hop-node");
        await db.Store.CreateNodeAsync(node);
        await db.Store.CreatePortAsync(NodeBuilder.Port(node, "52:54:00:dd:00:01"));
        var timeline = new BootTimeline(db.Store, TimeProvider.System, NullLogger<BootTimeline>.Instance);
        using var stop = new CancellationTokenSource();
        var run = timeline.RunAsync(stop.Token);

        timeline.TryRecord("52-54-00-DD-00-01", HistoryEventType.Dhcp, "DHCPACK 10.0.0.7");
        timeline.TryRecord("52:54:00:dd:99:99", HistoryEventType.Tftp, "RRQ ipxe.efi");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (timeline.Unmatched < 1 && DateTime.UtcNow < deadline) await Task.Delay(50);
        while ((await db.Store.ListHistoryAsync(node.Uuid)).Count < 1 && DateTime.UtcNow < deadline) await Task.Delay(50);
        await stop.CancelAsync();
        await run;

        var scrape = PrometheusScrape.Parse(exporter.Collect());
        Assert.That(scrape.Families["bifrost_timeline_boot_hops_total"].Type, Is.EqualTo("counter"));
        Assert.That(scrape.Value("bifrost_timeline_boot_hops_total", ("type", "dhcp"), ("outcome", "recorded")), Is.EqualTo(1));
        Assert.That(scrape.Value("bifrost_timeline_boot_hops_total", ("type", "tftp"), ("outcome", "unmatched")), Is.EqualTo(1));
        Assert.That((await db.Store.ListHistoryAsync(node.Uuid)).Select(e => e.Event), Is.EqualTo(new[] { "DHCPACK 10.0.0.7" }));
    }
}
