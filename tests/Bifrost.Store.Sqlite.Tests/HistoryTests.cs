using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;
using Bifrost.TestKit;

namespace Bifrost.Store.Sqlite.Tests;

public class HistoryTests
{
    [Test]
    public async Task History_reads_back_oldest_first_with_every_field()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        await db.Store.CreateNodeAsync(node);
        var entries = Enumerable.Range(0, 3).Select(i => Entry(node, i) with { User = i == 1 ? "admin" : null }).ToList();

        foreach (var entry in entries) await db.Store.AddHistoryAsync(entry);

        Assert.That(await db.Store.ListHistoryAsync(node.Uuid), Is.EqualTo(entries));
    }

    [Test]
    public async Task History_keeps_only_the_newest_entries_per_node_and_leaves_other_nodes_alone()
    {
        await using var db = await TestStore.CreateAsync(maxHistoryPerNode: 5);
        var busy = NodeBuilder.Fake("busy");
        var quiet = NodeBuilder.Fake("quiet");
        await db.Store.CreateNodeAsync(busy);
        await db.Store.CreateNodeAsync(quiet);
        var quietEntries = Enumerable.Range(0, 3).Select(i => Entry(quiet, i)).ToList();
        foreach (var entry in quietEntries) await db.Store.AddHistoryAsync(entry);

        var busyEntries = Enumerable.Range(0, 12).Select(i => Entry(busy, i)).ToList();
        for (var i = 0; i < busyEntries.Count; i++)
        {
            if (i % 2 == 0)
            {
                await db.Store.AddHistoryAsync(busyEntries[i]);
            }
            else
            {
                await db.Store.SaveNodeAsync(busy, busyEntries[i]); // the save path must bound it too
            }
        }

        Assert.That(await db.Store.ListHistoryAsync(busy.Uuid), Is.EqualTo(busyEntries.TakeLast(5)));
        Assert.That(await db.Store.ListHistoryAsync(quiet.Uuid), Is.EqualTo(quietEntries));
    }

    [Test]
    public async Task History_pages_with_marker_and_limit()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        await db.Store.CreateNodeAsync(node);
        var entries = Enumerable.Range(0, 10).Select(i => Entry(node, i)).ToList();
        foreach (var entry in entries) await db.Store.AddHistoryAsync(entry);

        Assert.That(await db.Store.ListHistoryAsync(node.Uuid, limit: 4), Is.EqualTo(entries.Take(4)));
        Assert.That(await db.Store.ListHistoryAsync(node.Uuid, limit: 4, marker: entries[3].Uuid), Is.EqualTo(entries.Skip(4).Take(4)));
        Assert.That(await db.Store.ListHistoryAsync(node.Uuid, marker: entries[9].Uuid), Is.Empty);
    }

    [Test]
    public async Task History_of_a_missing_node_or_with_an_unknown_marker_is_NotFound()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        await db.Store.CreateNodeAsync(node);

        Assert.ThrowsAsync<NodeNotFoundException>(() => db.Store.ListHistoryAsync(Guid.NewGuid()));
        Assert.ThrowsAsync<NodeNotFoundException>(() => db.Store.AddHistoryAsync(Entry(NodeBuilder.Fake(), 0)));
        var e = Assert.ThrowsAsync<BifrostException>(() => db.Store.ListHistoryAsync(node.Uuid, marker: Guid.NewGuid()));
        Assert.That(e!.Kind, Is.EqualTo(ErrorKind.NotFound));
    }

    internal static NodeHistoryEvent Entry(Node node, int i) => new()
    {
        Uuid = Guid.NewGuid(),
        NodeUuid = node.Uuid,
        CreatedAt = Fixtures.T0.AddSeconds(i).AddTicks(i),
        Severity = i % 3 == 2 ? HistorySeverity.Error : HistorySeverity.Info,
        EventType = HistoryEventType.Provisioning,
        Event = $"event {i}",
        Conductor = "conductor-a",
    };
}
