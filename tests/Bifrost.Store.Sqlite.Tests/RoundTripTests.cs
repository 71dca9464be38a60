using System.Text.Json.Nodes;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using Bifrost.Domain.Store;
using Bifrost.TestKit;

namespace Bifrost.Store.Sqlite.Tests;

public class RoundTripTests
{
    [Test]
    public void Fixtures_set_every_field_so_round_trips_cover_them_all()
    {
        var node = Fixtures.FullNode();
        Assert.That(Fixtures.Defaults(node), Is.Empty);
        Assert.That(Fixtures.Defaults(node.Interfaces), Is.Empty);
        Assert.That(Fixtures.Defaults(Fixtures.FullPort(node)), Is.Empty);
    }

    [Test]
    public async Task Created_node_reads_back_with_every_field_by_uuid_name_and_list()
    {
        await using var db = await TestStore.CreateAsync();
        var node = Fixtures.FullNode();

        await db.Store.CreateNodeAsync(node);

        Assert.That(Fixtures.Differences(node, await db.Store.GetNodeAsync(node.Uuid)), Is.Empty);
        Assert.That(Fixtures.Differences(node, await db.Store.GetNodeByNameAsync(node.Name!)), Is.Empty);
        Assert.That(Fixtures.Differences(node, (await db.Store.ListNodesAsync(new NodeQuery())).Single()), Is.Empty);
    }

    [Test]
    public async Task Saved_node_reads_back_with_every_field_and_updated_at_from_the_clock()
    {
        var clock = new ManualClock(Fixtures.T0.AddDays(1).AddTicks(3));
        await using var db = await TestStore.CreateAsync(time: clock);
        var full = Fixtures.FullNode();
        var node = NodeBuilder.Fake("old-name");
        node.Uuid = full.Uuid;
        node.Reservation = full.Reservation;
        node.CreatedAt = full.CreatedAt;
        await db.Store.CreateNodeAsync(node);

        await db.Store.SaveNodeAsync(full);

        var expected = full.Clone();
        expected.UpdatedAt = clock.GetUtcNow();
        Assert.That(Fixtures.Differences(expected, await db.Store.GetNodeAsync(full.Uuid)), Is.Empty);
        Assert.That(full.UpdatedAt, Is.EqualTo(clock.GetUtcNow()), "the caller's copy gets the stored updated_at");
    }

    [Test]
    public async Task Save_keeps_created_at_and_never_writes_the_reservation()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake("n1");
        await db.Store.CreateNodeAsync(node);
        Assert.That(await db.Store.TryReserveAsync(node.Uuid, "conductor-a"), Is.True);

        node.Reservation = "conductor-a";
        var originalCreatedAt = node.CreatedAt;
        node.CreatedAt = node.CreatedAt.AddYears(-1);
        await db.Store.SaveNodeAsync(node);

        var stored = await db.Store.GetNodeAsync(node.Uuid);
        Assert.That(stored!.CreatedAt, Is.EqualTo(originalCreatedAt));
        Assert.That(stored.Reservation, Is.EqualTo("conductor-a"));
    }

    private static IEnumerable<TestCaseData> NullableBooleans()
    {
        foreach (var value in new bool?[] { null, true, false })
        {
            yield return new TestCaseData(value).SetName($"automated_clean and secure_boot = {value?.ToString() ?? "null"} round-trip");
        }
    }

    [TestCaseSource(nameof(NullableBooleans))]
    public async Task Nullable_booleans_keep_null_true_and_false_apart(bool? value)
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        node.AutomatedClean = value;
        node.SecureBoot = value;

        await db.Store.CreateNodeAsync(node);

        var stored = await db.Store.GetNodeAsync(node.Uuid);
        Assert.That(stored!.AutomatedClean, Is.EqualTo(value));
        Assert.That(stored.SecureBoot, Is.EqualTo(value));
    }

    private static IEnumerable<TestCaseData> AllStates() =>
        ProvisionStates.All.Select(s => new TestCaseData(s).SetName($"provision state '{s.ToWire()}' is stored by its wire name"));

    [TestCaseSource(nameof(AllStates))]
    public async Task Provision_states_are_persisted_by_wire_name(ProvisionState state)
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        node.ProvisionState = state;
        node.TargetProvisionState = state;

        await db.Store.CreateNodeAsync(node);

        var raw = await MigratorTests.ScalarAsync(db.DatabasePath,
            $"SELECT provision_state || '|' || target_provision_state FROM nodes WHERE uuid = '{node.Uuid}'");
        Assert.That(raw, Is.EqualTo($"{state.ToWire()}|{state.ToWire()}"));
        var stored = await db.Store.GetNodeAsync(node.Uuid);
        Assert.That((stored!.ProvisionState, stored.TargetProvisionState), Is.EqualTo((state, (ProvisionState?)state)));
    }

    [Test]
    public async Task Timestamps_are_stored_as_fixed_width_UTC_text()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        node.CreatedAt = Fixtures.T0;

        await db.Store.CreateNodeAsync(node);

        var raw = await MigratorTests.ScalarAsync(db.DatabasePath, $"SELECT created_at FROM nodes WHERE uuid = '{node.Uuid}'");
        Assert.That(raw, Is.EqualTo("2024-05-06T05:08:09.1234567Z"));
    }

    [Test]
    public async Task Every_read_returns_a_fresh_instance()
    {
        await using var db = await TestStore.CreateAsync();
        var node = Fixtures.FullNode();
        await db.Store.CreateNodeAsync(node);

        var first = await db.Store.GetNodeAsync(node.Uuid);
        first!.DriverInfo["ipmi_address"] = "changed";
        first.Traits.Add("CUSTOM_CHANGED");
        node.Extra["changed"] = true;
        var second = await db.Store.GetNodeAsync(node.Uuid);

        Assert.That(second, Is.Not.SameAs(first));
        Assert.That(second!.DriverInfo["ipmi_address"]!.GetValue<string>(), Is.EqualTo("10.0.0.5"));
        Assert.That(second.Traits, Is.EqualTo(new[] { "CUSTOM_GPU", "HW_CPU_X86_AVX2" }));
        Assert.That(second.Extra.ContainsKey("changed"), Is.False);
    }

    [Test]
    public async Task Empty_json_fields_and_traits_read_back_as_empty_not_null()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        await db.Store.CreateNodeAsync(node);

        var stored = await db.Store.GetNodeAsync(node.Uuid);

        Assert.That(stored!.DriverInfo, Is.Empty);
        Assert.That(stored.NetworkData, Is.Empty);
        Assert.That(stored.Traits, Is.Empty);
        Assert.That(JsonNode.DeepEquals(stored.Extra, new JsonObject()), Is.True);
    }

    [Test]
    public async Task Created_port_reads_back_with_every_field_by_uuid_address_and_list()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        await db.Store.CreateNodeAsync(node);
        var port = Fixtures.FullPort(node);

        await db.Store.CreatePortAsync(port);

        Assert.That(Fixtures.Differences(port, await db.Store.GetPortAsync(port.Uuid)), Is.Empty);
        Assert.That(Fixtures.Differences(port, await db.Store.GetPortByAddressAsync(port.Address)), Is.Empty);
        Assert.That(Fixtures.Differences(port, (await db.Store.ListPortsAsync(new PortQuery())).Single()), Is.Empty);
    }

    [Test]
    public async Task Saved_port_reads_back_with_every_field_and_may_move_to_another_node()
    {
        var clock = new ManualClock(Fixtures.T0.AddDays(2));
        await using var db = await TestStore.CreateAsync(time: clock);
        var first = NodeBuilder.Fake();
        var second = NodeBuilder.Fake();
        await db.Store.CreateNodeAsync(first);
        await db.Store.CreateNodeAsync(second);
        var port = NodeBuilder.Port(first, "52:54:00:00:00:01");
        await db.Store.CreatePortAsync(port);

        var changed = Fixtures.FullPort(second, "52:54:00:00:00:02");
        changed.Uuid = port.Uuid;
        changed.CreatedAt = port.CreatedAt;
        await db.Store.SavePortAsync(changed);

        var expected = changed.Clone();
        expected.UpdatedAt = clock.GetUtcNow();
        Assert.That(Fixtures.Differences(expected, await db.Store.GetPortAsync(port.Uuid)), Is.Empty);
    }

    [Test]
    public async Task Port_lookup_by_address_ignores_case_and_returns_the_address_as_stored()
    {
        await using var db = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake();
        await db.Store.CreateNodeAsync(node);
        await db.Store.CreatePortAsync(NodeBuilder.Port(node, "52:54:00:ab:cd:ef"));

        var found = await db.Store.GetPortByAddressAsync("52:54:00:AB:CD:EF");

        Assert.That(found?.Address, Is.EqualTo("52:54:00:ab:cd:ef"));
    }

    [Test]
    public async Task Missing_things_read_as_null()
    {
        await using var db = await TestStore.CreateAsync();

        Assert.That(await db.Store.GetNodeAsync(Guid.NewGuid()), Is.Null);
        Assert.That(await db.Store.GetNodeByNameAsync("nope"), Is.Null);
        Assert.That(await db.Store.GetPortAsync(Guid.NewGuid()), Is.Null);
        Assert.That(await db.Store.GetPortByAddressAsync("52:54:00:00:00:99"), Is.Null);
    }
}
