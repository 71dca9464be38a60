using Bifrost.Domain.States;
using Bifrost.Domain.Store;
using Bifrost.TestKit;

namespace Bifrost.Store.Sqlite.Tests;

/// <summary>The grouped count behind the /metrics node gauges.</summary>
public class StateCountTests
{
    [Test]
    public async Task Nodes_are_counted_per_provision_and_power_state_pair()
    {
        await using var db = await TestStore.CreateAsync();
        Assert.That(await db.Store.CountNodesByStateAsync(), Is.Empty, "an empty store has no rows");
        foreach (var (state, power) in ((ProvisionState, string?)[])[(ProvisionState.Active, "power on"), (ProvisionState.Active, "power on"),
                     (ProvisionState.Active, "power off"), (ProvisionState.DeployWait, "power on"), (ProvisionState.Enroll, null)])
        {
            var node = NodeBuilder.Fake();
            node.ProvisionState = state;
            node.PowerState = power;
            await db.Store.CreateNodeAsync(node);
        }

        var rows = await db.Store.CountNodesByStateAsync();
        Assert.That(rows, Is.EquivalentTo(new[]
        {
            new NodeStateCount(ProvisionState.Active, "power on", 2),
            new NodeStateCount(ProvisionState.Active, "power off", 1),
            new NodeStateCount(ProvisionState.DeployWait, "power on", 1),
            new NodeStateCount(ProvisionState.Enroll, null, 1),
        }));
    }
}
