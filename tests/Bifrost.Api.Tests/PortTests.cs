using System.Text.Json;

namespace Bifrost.Api.Tests;

/// <summary>IRONIC-API.md §5 Port and the port rows of the §4 error table.</summary>
public sealed class PortTests : ApiFixture
{
    private static readonly string[] PortFields =
    [
        "address", "created_at", "extra", "internal_info", "is_smartnic", "links", "local_link_connection", "node_uuid",
        "physical_network", "portgroup_uuid", "pxe_enabled", "updated_at", "uuid",
    ];

    [Test]
    public async Task Create_is_201_with_location_and_ironics_port_shape()
    {
        var node = await Api.CreateNodeAsync();
        var mac = Macs.New().ToUpperInvariant();
        var reply = await Api.PostAsync("/v1/ports", new { address = mac, node_uuid = Uuid(node) });
        Assert.That(reply.Status, Is.EqualTo(201), reply.ToString());
        var port = reply.Object;
        var uuid = port["uuid"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(reply.Message.Headers.Location?.ToString(), Is.EqualTo($"{Api.Base}/v1/ports/{uuid}"));
            Assert.That(port.Select(kv => kv.Key).Order(StringComparer.Ordinal), Is.EqualTo(PortFields));
            Assert.That(port["address"]?.GetValue<string>(), Is.EqualTo(mac.ToLowerInvariant()), "MACs are lowercased");
            Assert.That(port["node_uuid"]?.GetValue<string>(), Is.EqualTo(Uuid(node)));
            Assert.That(port["pxe_enabled"]?.GetValueKind(), Is.EqualTo(JsonValueKind.True));
            Assert.That(port["is_smartnic"]?.GetValueKind(), Is.EqualTo(JsonValueKind.False));
            Assert.That(port["extra"]?.ToJsonString(), Is.EqualTo("{}"));
            Assert.That(port["local_link_connection"]?.ToJsonString(), Is.EqualTo("{}"));
            Assert.That(port["physical_network"], Is.Null);
            Assert.That(port["portgroup_uuid"], Is.Null);
            Assert.That(port["links"]?.ToJsonString(), Is.EqualTo(new JsonArray(
                new JsonObject { ["href"] = $"{Api.Base}/v1/ports/{uuid}", ["rel"] = "self" },
                new JsonObject { ["href"] = $"{Api.Base}/ports/{uuid}", ["rel"] = "bookmark" }).ToJsonString()));
        });
        var shown = await Api.GetAsync($"/v1/ports/{uuid}");
        Assert.That(shown.Object.ToJsonString(), Is.EqualTo(port.ToJsonString()));
    }

    [Test]
    public async Task Port_detail_lists_full_ports()
    {
        var node = await Api.CreateNodeAsync();
        await Api.CreatePortAsync(Uuid(node), Macs.New());
        var ports = (await Api.GetAsync($"/v1/ports/detail?node={Name(node)}")).Object["ports"]!.AsArray();
        Assert.That(ports, Has.Count.EqualTo(1));
        Assert.That(ports[0]!.AsObject().Select(kv => kv.Key).Order(StringComparer.Ordinal), Is.EqualTo(PortFields));
    }

    [Test]
    public async Task Patch_and_delete_a_port()
    {
        var node = await Api.CreateNodeAsync();
        var port = await Api.CreatePortAsync(Uuid(node), Macs.New());
        var uuid = port["uuid"]!.GetValue<string>();
        var patched = await Api.PatchAsync($"/v1/ports/{uuid}", new object[]
        {
            new { op = "add", path = "/extra/switch", value = "sw1" },
            new { op = "replace", path = "/pxe_enabled", value = false },
        });
        Assert.That(patched.Status, Is.EqualTo(200), patched.ToString());
        Assert.That(patched.Object["extra"]?.ToJsonString(), Is.EqualTo("{\"switch\":\"sw1\"}"));
        Assert.That(patched.Object["pxe_enabled"]?.GetValueKind(), Is.EqualTo(JsonValueKind.False));
        Expect.Empty(await Api.DeleteAsync($"/v1/ports/{uuid}"), 204);
        Expect.Fault(await Api.GetAsync($"/v1/ports/{uuid}"), 404, $"Port {uuid} could not be found.");
    }

    [Test]
    public async Task Deleting_a_node_deletes_its_ports()
    {
        var node = await Api.CreateNodeAsync();
        var port = await Api.CreatePortAsync(Uuid(node), Macs.New());
        Expect.Empty(await Api.DeleteAsync($"/v1/nodes/{Uuid(node)}"), 204);
        var uuid = port["uuid"]!.GetValue<string>();
        Expect.Fault(await Api.GetAsync($"/v1/ports/{uuid}"), 404, $"Port {uuid} could not be found.");
    }

    private static IEnumerable<TestCaseData> UnknownPort()
    {
        const string uuid = "0f0e6b8a-4f4b-4c8e-9d55-2b7c1b8c9e10";
        yield return new TestCaseData("GET", $"/v1/ports/{uuid}", null, uuid).SetName("GET of an unknown port is 404");
        yield return new TestCaseData("PATCH", $"/v1/ports/{uuid}", "[]", uuid).SetName("PATCH of an unknown port is 404");
        yield return new TestCaseData("DELETE", $"/v1/ports/{uuid}", null, uuid).SetName("DELETE of an unknown port is 404");
        yield return new TestCaseData("GET", "/v1/ports/not-a-uuid", null, "not-a-uuid")
            .SetName("a port ident that is not a uuid is 404 naming it");
    }

    [TestCaseSource(nameof(UnknownPort))]
    public async Task Unknown_port(string method, string path, string? body, string ident)
    {
        Expect.Fault(await Api.SendAsync(new HttpMethod(method), path, body), 404, $"Port {ident} could not be found.");
    }

    private static IEnumerable<TestCaseData> BadCreates()
    {
        TestCaseData Row(string rule, string body, string message) => new TestCaseData(body, message).SetName(rule);
        yield return Row("port create with a node name is 400 (the CLI sends names as typed)",
            "{\"address\": \"{mac}\", \"node_uuid\": \"{name}\"}", "Expected UUID for node_uuid: {name}");
        yield return Row("port create with a bad MAC is 400",
            "{\"address\": \"zz:zz\", \"node_uuid\": \"{uuid}\"}", "Expected valid MAC address for address: zz:zz");
        yield return Row("port create without node_uuid is 400",
            "{\"address\": \"{mac}\"}", "Schema error for port: 'node_uuid' is a required property");
        yield return Row("port create for an unknown node is 400, not 404",
            "{\"address\": \"{mac}\", \"node_uuid\": \"6a1f5b1e-8c53-4a53-9b55-0d7a3e6c2f11\"}",
            "Node 6a1f5b1e-8c53-4a53-9b55-0d7a3e6c2f11 could not be found.");
        yield return Row("port create with an unknown field is 400",
            "{\"address\": \"{mac}\", \"node_uuid\": \"{uuid}\", \"foo\": 1}", "Additional properties are not allowed ('foo' was unexpected)");
        yield return Row("port create without address is 400",
            "{\"node_uuid\": \"{uuid}\"}", "Schema error for port: 'address' is a required property");
    }

    [TestCaseSource(nameof(BadCreates))]
    public async Task Bad_port_create(string body, string message)
    {
        var node = await Api.CreateNodeAsync();
        var mac = Macs.New();
        string Fill(string s) => s.Replace("{uuid}", Uuid(node)).Replace("{name}", Name(node)).Replace("{mac}", mac);
        Expect.Fault(await Api.PostAsync("/v1/ports", Fill(body)), 400, Fill(message));
    }

    [TestCase("lower then upper")]
    [TestCase("upper then lower")]
    public async Task A_duplicate_mac_in_another_case_is_409(string order)
    {
        var node = await Api.CreateNodeAsync();
        var mac = Macs.New();
        var (first, second) = order == "lower then upper" ? (mac, mac.ToUpperInvariant()) : (mac.ToUpperInvariant(), mac);
        await Api.CreatePortAsync(Uuid(node), first);
        var reply = await Api.PostAsync("/v1/ports", new { address = second, node_uuid = Uuid(node) });
        Expect.Fault(reply, 409, $"A port with MAC address {mac} already exists.");
    }

    [Test]
    public async Task Patching_a_port_to_a_taken_mac_is_409()
    {
        var node = await Api.CreateNodeAsync();
        var taken = Macs.New();
        await Api.CreatePortAsync(Uuid(node), taken);
        var port = await Api.CreatePortAsync(Uuid(node), Macs.New());
        var reply = await Api.PatchAsync($"/v1/ports/{port["uuid"]}",
            new[] { new { op = "replace", path = "/address", value = taken.ToUpperInvariant() } });
        Expect.Fault(reply, 409, $"A port with MAC address {taken} already exists.");
    }

    [Test]
    public async Task A_duplicate_port_uuid_is_409()
    {
        var node = await Api.CreateNodeAsync();
        var port = await Api.CreatePortAsync(Uuid(node), Macs.New());
        var uuid = port["uuid"]!.GetValue<string>();
        var reply = await Api.PostAsync("/v1/ports", new { address = Macs.New(), node_uuid = Uuid(node), uuid });
        Expect.Fault(reply, 409, $"A port with UUID {uuid} already exists.");
    }

    [Test]
    public async Task Patching_a_port_read_only_field_is_400()
    {
        var node = await Api.CreateNodeAsync();
        var port = await Api.CreatePortAsync(Uuid(node), Macs.New());
        var reply = await Api.PatchAsync($"/v1/ports/{port["uuid"]}", new[] { new { op = "replace", path = "/uuid", value = "x" } });
        Expect.FaultStartingWith(reply, 400, "Cannot patch /uuid. Only the following can be updated: ");
    }
}
