namespace Bifrost.EndToEnd.Tests;

/// <summary>port create / list / show / delete through the real CLI (IRONIC-API.md §2, §4, §5 "Port").</summary>
[Category("EndToEnd")]
public sealed class PortTests : CliFixture
{
    [Test]
    public async Task Port_create_list_show_and_delete()
    {
        var node = await CreateNodeAsync("--driver", "fake-hardware", "--name", "port-node");
        var other = await CreateNodeAsync("--driver", "fake-hardware", "--name", "port-other");

        var created = await JsonAsync("port", "create", "52:54:00:E2:E0:01", "--node", node);
        var uuid = Str(created, "uuid")!;
        Assert.Multiple(() =>
        {
            Assert.That(Guid.TryParse(uuid, out _), Is.True);
            Assert.That(Str(created, "address"), Is.EqualTo("52:54:00:e2:e0:01"), "MACs are stored lowercase");
            Assert.That(Str(created, "node_uuid"), Is.EqualTo(node));
            Assert.That(created.GetProperty("pxe_enabled").GetBoolean(), Is.True);
        });
        var otherPort = Str(await JsonAsync("port", "create", "52:54:00:e2:e0:0f", "--node", other), "uuid");

        var list = await JsonAsync("port", "list");
        var row = list.EnumerateArray().Single(r => Str(r, "UUID") == uuid);
        Assert.That(row.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "UUID", "Address" }));
        Assert.That(Str(row, "Address"), Is.EqualTo("52:54:00:e2:e0:01"));

        var longRow = (await JsonAsync("port", "list", "--long")).EnumerateArray().Single(r => Str(r, "UUID") == uuid);
        Assert.That(Str(longRow, "Node UUID"), Is.EqualTo(node));
        Assert.That(longRow.GetProperty("PXE boot enabled").GetBoolean(), Is.True);

        // The list filter takes a name or a UUID (unlike create).
        Assert.That(Column(await JsonAsync("port", "list", "--node", "port-node"), "UUID"), Is.EqualTo(new[] { uuid }));
        Assert.That(Column(await JsonAsync("port", "list", "--node", other, "--long"), "UUID"), Is.EqualTo(new[] { otherPort }));

        var shown = await JsonAsync("port", "show", uuid);
        Assert.That(Str(shown, "address"), Is.EqualTo("52:54:00:e2:e0:01"));
        Assert.That(Str(shown, "node_uuid"), Is.EqualTo(node));
        Assert.That(Str(await JsonAsync("port", "show", "--address", "52:54:00:e2:e0:01"), "uuid"), Is.EqualTo(uuid));

        Assert.That(await OkAsync("port", "delete", uuid), Does.Contain($"Deleted port {uuid}"));
        await FailsAsync($"Port {uuid} could not be found. (HTTP 404)", "port", "show", uuid);
        Assert.That(Column(await JsonAsync("port", "list"), "UUID"), Has.None.EqualTo(uuid));
        await FailsAsync($"Failed to delete port {uuid}: Port {uuid} could not be found. (HTTP 404)", "port", "delete", uuid);
    }

    [Test]
    public async Task Port_create_refuses_duplicate_mac_node_name_bad_mac_and_unknown_node()
    {
        var node = await CreateNodeAsync("--driver", "fake-hardware", "--name", "port-errors");
        await OkAsync("port", "create", "52:54:00:e2:e0:02", "--node", node);

        // Duplicate detection ignores case; 409 is a conflict (with --max-retries 0 the CLI gives up at once).
        await FailsAsync("A port with MAC address 52:54:00:e2:e0:02 already exists. (HTTP 409)",
            "port", "create", "52:54:00:E2:E0:02", "--node", node);

        // The CLI sends the node as typed; Ironic does not resolve names here (IRONIC-API.md §9.6).
        await FailsAsync("Expected UUID for node_uuid: port-errors (HTTP 400)",
            "port", "create", "52:54:00:e2:e0:03", "--node", "port-errors");
        await FailsAsync("Expected valid MAC address for address: zz:zz (HTTP 400)", "port", "create", "zz:zz", "--node", node);

        var unknown = Guid.NewGuid().ToString();
        await FailsAsync($"Node {unknown} could not be found. (HTTP 400)",
            "port", "create", "52:54:00:e2:e0:04", "--node", unknown);

        var ports = await JsonAsync("port", "list", "--node", node);
        Assert.That(Column(ports, "Address"), Is.EqualTo(new[] { "52:54:00:e2:e0:02" }));
    }
}
