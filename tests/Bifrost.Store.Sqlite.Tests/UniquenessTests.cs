using Bifrost.Domain.Errors;
using Bifrost.TestKit;

namespace Bifrost.Store.Sqlite.Tests;

public class UniquenessTests
{
    [Test]
    public async Task Second_node_with_the_same_name_is_a_DuplicateNameException()
    {
        await using var db = await TestStore.CreateAsync();
        await db.Store.CreateNodeAsync(NodeBuilder.Fake("rack1-node1"));

        var e = Assert.ThrowsAsync<DuplicateNameException>(() => db.Store.CreateNodeAsync(NodeBuilder.Fake("rack1-node1")));

        Assert.That(e!.Message, Does.Contain("rack1-node1"));
        Assert.That(await db.Store.CountNodesAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task Second_node_with_the_same_uuid_is_a_DuplicateUuidException()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake("a");
        await db.Store.CreateNodeAsync(node);
        var again = NodeBuilder.Fake("b");
        again.Uuid = node.Uuid;

        var e = Assert.ThrowsAsync<DuplicateUuidException>(() => db.Store.CreateNodeAsync(again));

        Assert.That(e!.Message, Is.EqualTo($"A node with UUID {node.Uuid} already exists."));
    }

    [Test]
    public async Task Any_number_of_nodes_may_have_no_name()
    {
        await using var db = await TestStore.CreateAsync();

        for (var i = 0; i < 5; i++) await db.Store.CreateNodeAsync(NodeBuilder.Fake(name: null));

        Assert.That(await db.Store.CountNodesAsync(), Is.EqualTo(5));
    }

    [Test]
    public async Task Renaming_a_node_to_a_taken_name_is_a_DuplicateNameException_and_changes_nothing()
    {
        await using var db = await TestStore.CreateAsync();
        await db.Store.CreateNodeAsync(NodeBuilder.Fake("taken"));
        var node = NodeBuilder.Fake("mine");
        await db.Store.CreateNodeAsync(node);

        node.Name = "taken";
        node.Description = "changed";
        Assert.ThrowsAsync<DuplicateNameException>(() => db.Store.SaveNodeAsync(node));

        var stored = await db.Store.GetNodeAsync(node.Uuid);
        Assert.That((stored!.Name, stored.Description), Is.EqualTo(("mine", (string?)null)));
    }

    private static IEnumerable<TestCaseData> MacClashes()
    {
        yield return new TestCaseData("52:54:00:aa:bb:cc", "52:54:00:aa:bb:cc").SetName("same MAC twice → DuplicateMacException");
        yield return new TestCaseData("52:54:00:aa:bb:cc", "52:54:00:AA:BB:CC").SetName("same MAC in upper case → DuplicateMacException");
        yield return new TestCaseData("52:54:00:AA:BB:CC", "52:54:00:aa:bb:cc").SetName("stored upper, new lower → DuplicateMacException");
    }

    [TestCaseSource(nameof(MacClashes))]
    public async Task Port_MAC_is_unique_regardless_of_case(string first, string second)
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        await db.Store.CreateNodeAsync(node);
        await db.Store.CreatePortAsync(NodeBuilder.Port(node, first));

        var e = Assert.ThrowsAsync<DuplicateMacException>(() => db.Store.CreatePortAsync(NodeBuilder.Port(node, second)));

        Assert.That(e!.Message, Does.Contain(second));
    }

    [Test]
    public async Task Second_port_with_the_same_uuid_is_a_DuplicateUuidException()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        await db.Store.CreateNodeAsync(node);
        var port = NodeBuilder.Port(node, "52:54:00:00:00:01");
        await db.Store.CreatePortAsync(port);
        var again = NodeBuilder.Port(node, "52:54:00:00:00:02");
        again.Uuid = port.Uuid;

        var e = Assert.ThrowsAsync<DuplicateUuidException>(() => db.Store.CreatePortAsync(again));

        Assert.That(e!.Message, Is.EqualTo($"A port with UUID {port.Uuid} already exists."));
    }

    [Test]
    public async Task Changing_a_port_MAC_to_a_taken_one_is_a_DuplicateMacException()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        await db.Store.CreateNodeAsync(node);
        await db.Store.CreatePortAsync(NodeBuilder.Port(node, "52:54:00:00:00:01"));
        var port = NodeBuilder.Port(node, "52:54:00:00:00:02");
        await db.Store.CreatePortAsync(port);

        port.Address = "52:54:00:00:00:01";
        Assert.ThrowsAsync<DuplicateMacException>(() => db.Store.SavePortAsync(port));

        Assert.That((await db.Store.GetPortAsync(port.Uuid))!.Address, Is.EqualTo("52:54:00:00:00:02"));
    }

    [Test]
    public async Task Port_of_a_missing_node_is_a_NodeNotFoundException()
    {
        await using var db = await TestStore.CreateAsync();
        var ghost = NodeBuilder.Fake();

        Assert.ThrowsAsync<NodeNotFoundException>(() => db.Store.CreatePortAsync(NodeBuilder.Port(ghost, "52:54:00:00:00:01")));
    }

    [Test]
    public async Task Missing_ports_and_nodes_are_NotFound_on_save_and_delete()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        await db.Store.CreateNodeAsync(node);

        Assert.ThrowsAsync<PortNotFoundException>(() => db.Store.SavePortAsync(NodeBuilder.Port(node, "52:54:00:00:00:01")));
        Assert.ThrowsAsync<PortNotFoundException>(() => db.Store.DeletePortAsync(Guid.NewGuid()));
        Assert.ThrowsAsync<NodeNotFoundException>(() => db.Store.SaveNodeAsync(NodeBuilder.Fake()));
        Assert.ThrowsAsync<NodeNotFoundException>(() => db.Store.DeleteNodeAsync(Guid.NewGuid()));
    }
}
