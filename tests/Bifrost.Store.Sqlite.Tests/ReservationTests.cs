using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.Store;
using Bifrost.TestKit;

namespace Bifrost.Store.Sqlite.Tests;

public class ReservationTests
{
    [Test]
    public async Task First_reservation_wins_and_a_second_owner_is_refused()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        await db.Store.CreateNodeAsync(node);

        Assert.That(await db.Store.TryReserveAsync(node.Uuid, "conductor-a"), Is.True);
        Assert.That(await db.Store.TryReserveAsync(node.Uuid, "conductor-b"), Is.False);
        Assert.That(await db.Store.TryReserveAsync(node.Uuid, "conductor-a"), Is.False, "the lock is not re-entrant");
        Assert.That((await db.Store.GetNodeAsync(node.Uuid))!.Reservation, Is.EqualTo("conductor-a"));
    }

    [Test]
    public async Task Reserving_a_missing_node_is_a_NodeNotFoundException()
    {
        await using var db = await TestStore.CreateAsync();

        Assert.ThrowsAsync<NodeNotFoundException>(() => db.Store.TryReserveAsync(Guid.NewGuid(), "conductor-a"));
    }

    [Test]
    public async Task Release_by_another_owner_leaves_the_lock_and_release_by_the_holder_frees_it()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        await db.Store.CreateNodeAsync(node);
        await db.Store.TryReserveAsync(node.Uuid, "conductor-a");

        await db.Store.ReleaseAsync(node.Uuid, "conductor-b");
        Assert.That((await db.Store.GetNodeAsync(node.Uuid))!.Reservation, Is.EqualTo("conductor-a"));

        await db.Store.ReleaseAsync(node.Uuid, "conductor-a");
        Assert.That((await db.Store.GetNodeAsync(node.Uuid))!.Reservation, Is.Null);
        Assert.That(await db.Store.TryReserveAsync(node.Uuid, "conductor-b"), Is.True);
    }

    [Test]
    public async Task ClearReservations_clears_only_the_given_owner_and_counts_them()
    {
        await using var db = await TestStore.CreateAsync();
        var owners = new[] { "conductor-a", "conductor-b", "conductor-a", null, "conductor-a" };
        var nodes = new List<Node>();
        foreach (var owner in owners)
        {
            var node = NodeBuilder.Fake();
            await db.Store.CreateNodeAsync(node);
            if (owner is not null) await db.Store.TryReserveAsync(node.Uuid, owner);
            nodes.Add(node);
        }

        var cleared = await db.Store.ClearReservationsAsync("conductor-a");

        Assert.That(cleared, Is.EqualTo(3));
        var after = await Task.WhenAll(nodes.Select(n => db.Store.GetNodeAsync(n.Uuid)));
        Assert.That(after.Select(n => n!.Reservation), Is.EqualTo(new[] { null, "conductor-b", null, null, null }));
    }

    [Test]
    public async Task Save_by_a_caller_that_lost_the_lock_is_a_NodeLockedException_and_changes_nothing()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake("n1");
        await db.Store.CreateNodeAsync(node);
        await db.Store.TryReserveAsync(node.Uuid, "conductor-b");
        var before = await db.Store.GetNodeAsync(node.Uuid);

        var stale = before!.Clone();
        stale.Reservation = "conductor-a";
        stale.Description = "written without the lock";
        var history = History(node, "should not be written");
        var e = Assert.ThrowsAsync<NodeLockedException>(() => db.Store.SaveNodeAsync(stale, history));

        Assert.That(e!.Message, Does.Contain("conductor-b"));
        Assert.That(Fixtures.Differences(before, await db.Store.GetNodeAsync(node.Uuid)), Is.Empty);
        Assert.That(await db.Store.ListHistoryAsync(node.Uuid), Is.Empty);
    }

    [Test]
    public async Task Save_of_an_unreserved_copy_of_a_reserved_node_is_a_NodeLockedException()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        await db.Store.CreateNodeAsync(node);
        await db.Store.TryReserveAsync(node.Uuid, "conductor-b");

        node.Reservation = null;
        Assert.ThrowsAsync<NodeLockedException>(() => db.Store.SaveNodeAsync(node));
    }

    [Test]
    public async Task Save_claiming_a_lock_on_an_unreserved_node_is_a_NodeLockedException()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        await db.Store.CreateNodeAsync(node);

        node.Reservation = "conductor-a";
        Assert.ThrowsAsync<NodeLockedException>(() => db.Store.SaveNodeAsync(node));
    }

    [Test]
    public async Task Save_by_the_holder_writes_the_node_and_its_history_together()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        await db.Store.CreateNodeAsync(node);
        await db.Store.TryReserveAsync(node.Uuid, "conductor-a");

        node.Reservation = "conductor-a";
        node.ProvisionState = Domain.States.ProvisionState.Manageable;
        var history = History(node, "enroll → manageable");
        await db.Store.SaveNodeAsync(node, history);

        Assert.That((await db.Store.GetNodeAsync(node.Uuid))!.ProvisionState, Is.EqualTo(Domain.States.ProvisionState.Manageable));
        Assert.That(await db.Store.ListHistoryAsync(node.Uuid), Is.EqualTo(new[] { history }));
    }

    /// <summary>
    /// Sixteen store instances (as sixteen processes would) race for each of several nodes at the same moment; the
    /// conditional UPDATE must let exactly one through per node, whatever the interleaving.
    /// </summary>
    [Test]
    public async Task Concurrent_reservations_from_16_stores_have_exactly_one_winner_per_node()
    {
        await using var db = await TestStore.CreateAsync();
        var stores = Enumerable.Range(0, 16).Select(_ => db.OpenAnother()).ToArray();
        var nodes = new List<Node>();
        for (var i = 0; i < 8; i++)
        {
            var node = NodeBuilder.Fake();
            await db.Store.CreateNodeAsync(node);
            nodes.Add(node);
        }

        foreach (var node in nodes)
        {
            using var start = new ManualResetEventSlim();
            var attempts = stores.Select((store, i) => Task.Run(async () =>
            {
                start.Wait();
                return (owner: $"conductor-{i}", won: await store.TryReserveAsync(node.Uuid, $"conductor-{i}"));
            })).ToArray();
            start.Set();
            var results = await Task.WhenAll(attempts);

            var winners = results.Where(r => r.won).Select(r => r.owner).ToList();
            Assert.That(winners, Has.Count.EqualTo(1), $"node {node.Uuid}");
            Assert.That((await db.Store.GetNodeAsync(node.Uuid))!.Reservation, Is.EqualTo(winners[0]));
        }
    }

    [Test]
    public async Task Concurrent_saves_of_different_nodes_from_many_stores_all_land()
    {
        await using var db = await TestStore.CreateAsync();
        var nodes = new List<Node>();
        for (var i = 0; i < 16; i++)
        {
            var node = NodeBuilder.Fake($"n{i}");
            await db.Store.CreateNodeAsync(node);
            nodes.Add(node);
        }

        await Task.WhenAll(nodes.Select((node, i) => Task.Run(async () =>
        {
            var store = db.OpenAnother();
            var owner = $"conductor-{i}";
            Assert.That(await store.TryReserveAsync(node.Uuid, owner), Is.True);
            node.Reservation = owner;
            for (var round = 0; round < 10; round++)
            {
                node.Description = $"round {round}";
                await store.SaveNodeAsync(node, History(node, $"round {round}"));
            }

            await store.ReleaseAsync(node.Uuid, owner);
        })));

        var listed = await db.Store.ListNodesAsync(new NodeQuery());
        Assert.That(listed.Select(n => (n.Description, n.Reservation)), Is.All.EqualTo(("round 9", (string?)null)));
        foreach (var node in nodes) Assert.That(await db.Store.ListHistoryAsync(node.Uuid), Has.Count.EqualTo(10));
    }

    private static NodeHistoryEvent History(Node node, string text) => new()
    {
        Uuid = Guid.NewGuid(),
        NodeUuid = node.Uuid,
        CreatedAt = Fixtures.T0,
        Severity = HistorySeverity.Info,
        EventType = HistoryEventType.Provisioning,
        Event = text,
        Conductor = "conductor-a",
    };
}
