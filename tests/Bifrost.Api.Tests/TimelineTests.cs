using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using Bifrost.TestKit;

namespace Bifrost.Api.Tests;

/// <summary>GET /v1/nodes/{n}/timeline: "why is it stuck?" next to Ironic's unchanged /history.</summary>
public sealed class TimelineTests : ApiFixture
{
    /// <summary>A node left in wait call-back 3 minutes ago with boot hops in its history (as the servers record them).</summary>
    private async Task<Node> StuckNodeAsync()
    {
        var store = Server.Conductor.Store;
        var now = DateTimeOffset.UtcNow;
        var node = NodeBuilder.Fake(Names.New("stuck"));
        node.ProvisionState = ProvisionState.DeployWait;
        node.TargetProvisionState = ProvisionState.Active;
        node.ProvisionUpdatedAt = now - TimeSpan.FromMinutes(3);
        await store.CreateNodeAsync(node);
        async Task Add(TimeSpan ago, string type, string message) => await store.AddHistoryAsync(new NodeHistoryEvent
        {
            Uuid = Guid.NewGuid(), NodeUuid = node.Uuid, CreatedAt = now - ago, Severity = HistorySeverity.Info,
            EventType = type, Event = message, Conductor = "test-conductor",
        });
        await Add(TimeSpan.FromMinutes(3), HistoryEventType.Provisioning, "deploying → wait call-back (target active) on wait");
        await Add(TimeSpan.FromSeconds(170), HistoryEventType.Dhcp, "DHCPACK 10.0.0.5 to 52:54:00:00:00:01");
        await Add(TimeSpan.FromSeconds(160), HistoryEventType.Tftp, "sent ipxe.efi (1.0 MB)");
        await Add(TimeSpan.FromSeconds(100), HistoryEventType.Power, "power on");
        return node;
    }

    [Test]
    public async Task A_node_in_wait_call_back_shows_what_is_awaited_the_deadline_and_the_last_hop()
    {
        var node = await StuckNodeAsync();
        var reply = await Api.GetAsync($"/v1/nodes/{node.Name}/timeline");
        Assert.That(reply.Status, Is.EqualTo(200), reply.ToString());
        var t = reply.Object;

        Assert.That(t["node"]!["provision_state"]!.GetValue<string>(), Is.EqualTo("wait call-back"));
        var waiting = t["waiting"]!.AsObject();
        Assert.That(waiting["for"]!.GetValue<string>(), Is.EqualTo("the agent to call back"));
        Assert.That(waiting["timeout_option"]!.GetValue<string>(), Is.EqualTo("deploy_callback_timeout"));
        // Default deploy_callback_timeout 1800 s, entered 180 s ago: 27 minutes left.
        Assert.That(waiting["remaining_seconds"]!.GetValue<long>(), Is.InRange(1590, 1620));
        Assert.That(waiting["message"]!.GetValue<string>(),
            Is.EqualTo("waiting for the agent to call back (deadline in 27 min, deploy_callback_timeout)"));

        var hop = t["last_hop"]!.AsObject();
        Assert.That(hop["event_type"]!.GetValue<string>(), Is.EqualTo("tftp"), "the newest boot hop, not the newer power event");
        Assert.That(hop["event"]!.GetValue<string>(), Is.EqualTo("sent ipxe.efi (1.0 MB)"));
        Assert.That(t["events"]!.AsArray().Select(e => e!["event_type"]!.GetValue<string>()),
            Is.EqualTo(new[] { "provisioning", "dhcp", "tftp", "power" }), "every event, oldest first");
    }

    [Test]
    public async Task A_stable_node_waits_for_nothing_and_history_keeps_ironics_shape()
    {
        var node = await Api.CreateNodeAsync();
        await Api.BringToAsync(Name(node), "available");
        var t = (await Api.GetAsync($"/v1/nodes/{Name(node)}/timeline")).Object;
        Assert.That(t["waiting"], Is.Null);
        Assert.That(t["last_hop"], Is.Null);
        Assert.That(t["events"]!.AsArray(), Has.Count.GreaterThanOrEqualTo(4));

        var history = (await Api.GetAsync($"/v1/nodes/{Name(node)}/history")).Object;
        Assert.That(history.Select(kv => kv.Key), Is.EqualTo(new[] { "history" }), "no Bifrost field in Ironic's history");
        Assert.That(history["history"]![0]!.AsObject().Select(kv => kv.Key).Order(StringComparer.Ordinal),
            Is.EqualTo(new[] { "created_at", "event", "links", "severity", "uuid" }));
    }

    [Test]
    public async Task The_timeline_of_an_unknown_node_is_404() =>
        Assert.That((await Api.GetAsync("/v1/nodes/no-such-node/timeline")).Status, Is.EqualTo(404));
}
