using System.Text.Json.Nodes;
using Bifrost.Domain.Errors;
using Bifrost.Domain.Store;
using Bifrost.TestKit;

namespace Bifrost.Store.Sqlite.Tests;

public class InventoryTests
{
    private static NodeInventory Sample(int cpus, DateTimeOffset at) => new(
        new JsonObject { ["cpu"] = new JsonObject { ["count"] = cpus, ["architecture"] = "x86_64" } },
        new JsonObject { ["source"] = "bifrost-agent/1" },
        at);

    [Test]
    public async Task A_node_never_inspected_has_no_inventory()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        await db.Store.CreateNodeAsync(node);

        Assert.That(await db.Store.GetInventoryAsync(node.Uuid), Is.Null);
    }

    [Test]
    public async Task The_last_inspection_replaces_the_inventory_and_reads_back_whole()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        await db.Store.CreateNodeAsync(node);
        var first = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

        await db.Store.SaveInventoryAsync(node.Uuid, Sample(2, first));
        await db.Store.SaveInventoryAsync(node.Uuid, Sample(8, first.AddHours(1)));
        var read = await db.Store.GetInventoryAsync(node.Uuid);

        Assert.That(read, Is.Not.Null);
        Assert.That(read!.Inventory.ToJsonString(), Is.EqualTo(Sample(8, first).Inventory.ToJsonString()));
        Assert.That(read.PluginData["source"]!.GetValue<string>(), Is.EqualTo("bifrost-agent/1"));
        Assert.That(read.CreatedAt, Is.EqualTo(first.AddHours(1)));
    }

    [Test]
    public async Task The_inventory_goes_with_its_node()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        await db.Store.CreateNodeAsync(node);
        await db.Store.SaveInventoryAsync(node.Uuid, Sample(2, DateTimeOffset.UtcNow));

        await db.Store.DeleteNodeAsync(node.Uuid);
        await db.Store.CreateNodeAsync(node);

        Assert.That(await db.Store.GetInventoryAsync(node.Uuid), Is.Null);
    }

    [Test]
    public void A_missing_node_is_reported_for_both_reads_and_writes()
    {
        Assert.Multiple(async () =>
        {
            await using var db = await TestStore.CreateAsync();
            Assert.ThrowsAsync<NodeNotFoundException>(() => db.Store.GetInventoryAsync(Guid.NewGuid()));
            Assert.ThrowsAsync<NodeNotFoundException>(() =>
                db.Store.SaveInventoryAsync(Guid.NewGuid(), Sample(1, DateTimeOffset.UtcNow)));
        });
    }
}
