using Bifrost.Domain.Store;
using Bifrost.TestKit;

namespace Bifrost.Store.Sqlite.Tests;

public class LifecycleTests
{
    [Test]
    public async Task Deleting_a_node_deletes_its_ports_and_history_but_not_other_nodes()
    {
        await using var db = await TestStore.CreateAsync();
        var doomed = NodeBuilder.Fake("doomed");
        var kept = NodeBuilder.Fake("kept");
        await db.Store.CreateNodeAsync(doomed);
        await db.Store.CreateNodeAsync(kept);
        var doomedPort = NodeBuilder.Port(doomed, "52:54:00:00:00:01");
        await db.Store.CreatePortAsync(doomedPort);
        await db.Store.CreatePortAsync(NodeBuilder.Port(kept, "52:54:00:00:00:02"));
        await db.Store.AddHistoryAsync(HistoryTests.Entry(doomed, 0));
        await db.Store.AddHistoryAsync(HistoryTests.Entry(kept, 0));

        await db.Store.DeleteNodeAsync(doomed.Uuid);

        Assert.That(await db.Store.GetNodeAsync(doomed.Uuid), Is.Null);
        Assert.That(await db.Store.GetPortAsync(doomedPort.Uuid), Is.Null);
        Assert.That(await MigratorTests.ScalarAsync(db.DatabasePath, "SELECT COUNT(*) FROM ports"), Is.EqualTo(1L));
        Assert.That(await MigratorTests.ScalarAsync(db.DatabasePath, "SELECT COUNT(*) FROM node_history"), Is.EqualTo(1L));
        Assert.That(await db.Store.ListHistoryAsync(kept.Uuid), Has.Count.EqualTo(1));
        // The MAC is free again.
        await db.Store.CreatePortAsync(NodeBuilder.Port(kept, "52:54:00:00:00:01"));
    }

    [Test]
    public async Task Reopening_the_file_keeps_every_node_port_and_history_entry()
    {
        await using var db = await TestStore.CreateAsync();
        var node = Fixtures.FullNode();
        var port = Fixtures.FullPort(node);
        var entry = HistoryTests.Entry(node, 1);
        await db.Store.CreateNodeAsync(node);
        await db.Store.CreatePortAsync(port);
        await db.Store.AddHistoryAsync(entry);

        // A restart: pooled connections closed, migrator run again, a new store.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(db.Store.ConnectionString))
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearPool(connection);
        }

        Assert.That((await SqliteMigrator.MigrateAsync(db.DatabasePath)).From, Is.EqualTo(SqliteMigrator.LatestVersion));
        var reopened = new SqliteNodeStore(new SqliteStoreOptions { DatabasePath = db.DatabasePath });

        Assert.That(Fixtures.Differences(node, await reopened.GetNodeAsync(node.Uuid)), Is.Empty);
        Assert.That(Fixtures.Differences(port, await reopened.GetPortAsync(port.Uuid)), Is.Empty);
        Assert.That(await reopened.ListHistoryAsync(node.Uuid), Is.EqualTo(new[] { entry }));
    }

    [Test]
    public async Task Store_over_a_missing_file_fails_loudly_instead_of_creating_an_empty_database()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "missing.db");
        var store = new SqliteNodeStore(new SqliteStoreOptions { DatabasePath = path });

        Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => store.CountNodesAsync());
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public async Task Ports_list_filters_by_node_and_address_and_pages_by_marker_in_both_directions()
    {
        await using var db = await TestStore.CreateAsync();
        var a = NodeBuilder.Fake("a");
        var b = NodeBuilder.Fake("b");
        await db.Store.CreateNodeAsync(a);
        await db.Store.CreateNodeAsync(b);
        var ports = new List<Domain.Nodes.Port>();
        for (var i = 0; i < 9; i++)
        {
            var port = NodeBuilder.Port(i % 3 == 0 ? b : a, $"52:54:00:00:0a:{i:x2}");
            await db.Store.CreatePortAsync(port);
            ports.Add(port);
        }

        async Task<List<Guid>> List(PortQuery q) => [.. (await db.Store.ListPortsAsync(q)).Select(p => p.Uuid)];
        var all = ports.Select(p => p.Uuid).ToList();

        Assert.That(await List(new PortQuery()), Is.EqualTo(all));
        Assert.That(await List(new PortQuery { SortDir = SortDirection.Desc }), Is.EqualTo(Enumerable.Reverse(all)));
        Assert.That(await List(new PortQuery { NodeUuid = b.Uuid }), Is.EqualTo(ports.Where(p => p.NodeUuid == b.Uuid).Select(p => p.Uuid)));
        Assert.That(await List(new PortQuery { NodeUuid = Guid.NewGuid() }), Is.Empty);
        Assert.That(await List(new PortQuery { Address = "52:54:00:00:0A:05" }), Is.EqualTo(new[] { ports[5].Uuid }), "address ignores case");
        Assert.That(await List(new PortQuery { Limit = 3, Marker = ports[2].Uuid }), Is.EqualTo(all.Skip(3).Take(3)));
        Assert.That(await List(new PortQuery { Limit = 3, Marker = ports[2].Uuid, SortDir = SortDirection.Desc }), Is.EqualTo(all.Take(2).Reverse()));
        Assert.ThrowsAsync<Domain.Errors.PortNotFoundException>(() => db.Store.ListPortsAsync(new PortQuery { Marker = Guid.NewGuid() }));
    }
}
