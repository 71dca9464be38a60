using System.Text.Json;

namespace Bifrost.Api.Tests;

/// <summary>IRONIC-API.md §5: the node's JSON shape, its values when fresh, links and the list views.</summary>
public sealed class NodeJsonTests : ApiFixture
{
    /// <summary>Real Ironic's field list at 1.78 (fake-hardware), sorted.</summary>
    private static readonly string[] FieldsAt178 =
    [
        "allocation_uuid", "automated_clean", "bios_interface", "boot_interface", "boot_mode", "chassis_uuid",
        "clean_step", "conductor", "conductor_group", "console_enabled", "console_interface", "created_at",
        "deploy_interface", "deploy_step", "description", "driver", "driver_info", "driver_internal_info", "extra",
        "fault", "inspect_interface", "inspection_finished_at", "inspection_started_at", "instance_info",
        "instance_uuid", "last_error", "lessee", "links", "maintenance", "maintenance_reason", "management_interface",
        "name", "network_data", "network_interface", "owner", "portgroups", "ports", "power_interface", "power_state",
        "properties", "protected", "protected_reason", "provision_state", "provision_updated_at", "raid_config",
        "raid_interface", "rescue_interface", "reservation", "resource_class", "retired", "retired_reason",
        "secure_boot", "states", "storage_interface", "target_power_state", "target_provision_state",
        "target_raid_config", "traits", "updated_at", "uuid", "vendor_interface",
        // IRONIC-API.md §5 lists volume among the link fields; the CLI just does not print it.
        "volume",
    ];

    private static readonly string[] ListView =
        ["instance_uuid", "links", "maintenance", "name", "power_state", "provision_state", "uuid"];

    private static string[] Keys(JsonNode? o) => o!.AsObject().Select(kv => kv.Key).Order(StringComparer.Ordinal).ToArray();

    [Test]
    public async Task A_node_at_1_78_has_exactly_ironics_fields()
    {
        var node = await Api.CreateNodeAsync();
        var shown = (await Api.GetAsync($"/v1/nodes/{Uuid(node)}")).Object;
        Assert.That(Keys(node), Is.EqualTo(FieldsAt178), "POST answer");
        Assert.That(Keys(shown), Is.EqualTo(FieldsAt178), "GET answer");
    }

    [Test]
    public async Task A_node_at_1_82_adds_only_shard()
    {
        var node = await Api.CreateNodeAsync(version: "1.82");
        Assert.That(Keys(node), Is.EqualTo(FieldsAt178.Append("shard").Order(StringComparer.Ordinal).ToArray()));
        Assert.That(node["shard"], Is.Null);
    }

    [Test]
    public async Task A_fresh_node_has_ironics_values()
    {
        var node = await Api.CreateNodeAsync();
        Assert.Multiple(() =>
        {
            foreach (var empty in (string[])["driver_info", "driver_internal_info", "extra", "instance_info", "properties",
                         "clean_step", "deploy_step", "network_data", "raid_config", "target_raid_config"])
                Assert.That(node[empty]?.ToJsonString(), Is.EqualTo("{}"), empty);
            Assert.That(node["traits"]?.ToJsonString(), Is.EqualTo("[]"));
            Assert.That(node["conductor_group"]?.GetValue<string>(), Is.EqualTo(""));
            Assert.That(node["conductor"]?.GetValue<string>(), Is.EqualTo("test-conductor"));
            foreach (var no in (string[])["maintenance", "console_enabled", "protected", "retired"])
                Assert.That(node[no]?.GetValueKind(), Is.EqualTo(JsonValueKind.False), no);
            foreach (var nothing in (string[])["power_state", "target_power_state", "target_provision_state", "last_error",
                         "reservation", "updated_at", "instance_uuid", "chassis_uuid", "maintenance_reason",
                         "provision_updated_at", "allocation_uuid", "automated_clean", "boot_mode", "secure_boot",
                         "description", "owner", "lessee", "fault", "resource_class", "protected_reason",
                         "retired_reason", "inspection_started_at", "inspection_finished_at"])
                Assert.That(node.ContainsKey(nothing) && node[nothing] is null, Is.True, $"{nothing} is null");
            Assert.That(node["provision_state"]?.GetValue<string>(), Is.EqualTo("enroll"));
            Assert.That(node["driver"]?.GetValue<string>(), Is.EqualTo("fake-hardware"));
            Assert.That(Guid.TryParse(Uuid(node), out _), Is.True);
        });
    }

    [Test]
    public async Task Timestamps_are_microseconds_with_a_literal_plus_00_00()
    {
        var reply = await Api.PostAsync("/v1/nodes", new { driver = "fake-hardware", name = Names.New() });
        var created = reply.Object["created_at"]!.GetValue<string>();
        Assert.That(created, Does.Match(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$"));
        Assert.That(reply.Body, Does.Contain($"\"created_at\": \"{created}\"").Or.Contain($"\"created_at\":\"{created}\""));
        Assert.That(reply.Body, Does.Not.Contain("\\u002B"));
        Assert.That(DateTimeOffset.Parse(created), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));

        var patched = await Api.PatchAsync($"/v1/nodes/{Uuid(reply.Object)}",
            new[] { new { op = "add", path = "/extra/x", value = "1" } });
        Assert.That(patched.Object["updated_at"]?.GetValue<string>(),
            Does.Match(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$"));
    }

    [TestCase("links", "")]
    [TestCase("ports", "/ports")]
    [TestCase("states", "/states")]
    [TestCase("portgroups", "/portgroups")]
    public async Task Link_fields_are_self_and_bookmark_from_the_requests_host(string field, string suffix)
    {
        var node = await Api.CreateNodeAsync();
        var expected = new JsonArray(
            new JsonObject { ["href"] = $"{Api.Base}/v1/nodes/{Uuid(node)}{suffix}", ["rel"] = "self" },
            new JsonObject { ["href"] = $"{Api.Base}/nodes/{Uuid(node)}{suffix}", ["rel"] = "bookmark" });
        Assert.That(node[field]?.ToJsonString(), Is.EqualTo(expected.ToJsonString()));
    }

    [Test]
    public async Task Links_follow_the_host_header_of_the_request()
    {
        var node = await Api.CreateNodeAsync();
        var reply = await Api.SendAsync(HttpMethod.Get, $"/v1/nodes/{Uuid(node)}",
            headers: new Dictionary<string, string> { ["Host"] = "ironic.example:6385" });
        Assert.That(reply.Object["links"]?[0]?["href"]?.GetValue<string>(),
            Is.EqualTo($"http://ironic.example:6385/v1/nodes/{Uuid(node)}"));
    }

    [Test]
    public async Task The_list_view_has_exactly_the_short_fields()
    {
        await Api.CreateNodeAsync();
        var nodes = (await Api.GetAsync("/v1/nodes")).Object["nodes"]!.AsArray();
        Assert.That(nodes, Is.Not.Empty);
        Assert.That(nodes.Select(n => Keys(n)), Has.All.EqualTo(ListView));
    }

    [TestCase("/v1/nodes/?fields=uuid,name")]
    [TestCase("/v1/nodes?fields=uuid,name")]
    public async Task Fields_in_a_list_gives_those_fields_and_links(string path)
    {
        await Api.CreateNodeAsync();
        var reply = await Api.GetAsync(path);
        Assert.That(reply.Status, Is.EqualTo(200), reply.ToString());
        Assert.That(reply.Object["nodes"]!.AsArray().Select(n => Keys(n)),
            Has.All.EqualTo(new[] { "links", "name", "uuid" }));
    }

    [Test]
    public async Task Fields_on_a_show_gives_those_fields_and_links()
    {
        var node = await Api.CreateNodeAsync();
        var reply = await Api.GetAsync($"/v1/nodes/{Name(node)}?fields=provision_state,driver_info");
        Assert.That(Keys(reply.Object), Is.EqualTo(new[] { "driver_info", "links", "provision_state" }));
    }

    [Test]
    public async Task Detail_lists_full_nodes()
    {
        var node = await Api.CreateNodeAsync();
        var nodes = (await Api.GetAsync("/v1/nodes/detail")).Object["nodes"]!.AsArray();
        Assert.That(nodes.Select(n => Keys(n)), Has.All.EqualTo(FieldsAt178));
        var mine = nodes.Single(n => n!["uuid"]!.GetValue<string>() == Uuid(node));
        Assert.That(mine!.ToJsonString(), Is.EqualTo((await Api.GetAsync($"/v1/nodes/{Uuid(node)}")).Object.ToJsonString()));
    }

    private static IEnumerable<TestCaseData> DefaultInterfaces()
    {
        yield return new TestCaseData("fake-hardware", new Dictionary<string, string>
        {
            ["bios_interface"] = "fake", ["boot_interface"] = "fake", ["console_interface"] = "fake",
            ["deploy_interface"] = "fake", ["inspect_interface"] = "fake", ["management_interface"] = "fake",
            ["network_interface"] = "noop", ["power_interface"] = "fake", ["raid_interface"] = "fake",
            ["rescue_interface"] = "fake", ["storage_interface"] = "noop", ["vendor_interface"] = "fake",
        }).SetName("fake-hardware defaults to fake everywhere but noop network and storage");
        yield return new TestCaseData("ipmi", new Dictionary<string, string>
        {
            ["boot_interface"] = "ipxe", ["deploy_interface"] = "direct", ["management_interface"] = "ipmitool",
            ["power_interface"] = "ipmitool", ["vendor_interface"] = "ipmitool", ["network_interface"] = "noop",
            ["storage_interface"] = "noop", ["inspect_interface"] = "agent",
        }).SetName("ipmi defaults to ipxe boot, direct deploy, agent inspect and ipmitool power, management and vendor");
    }

    [TestCaseSource(nameof(DefaultInterfaces))]
    public async Task A_hardware_type_has_ironics_default_interfaces(string driver, Dictionary<string, string> expected)
    {
        var node = await Api.CreateNodeAsync(new JsonObject { ["driver"] = driver });
        var actual = expected.Keys.ToDictionary(k => k, k => node[k]?.GetValue<string>());
        Assert.That(actual, Is.EqualTo(expected));
        if (driver == "ipmi")
            foreach (var other in (string[])["bios_interface", "console_interface", "raid_interface", "rescue_interface"])
                Assert.That(node[other]?.GetValue<string>(), Does.StartWith("no-").Or.EqualTo("noop"), other);
    }

    [Test]
    public async Task Create_keeps_the_given_fields()
    {
        var uuid = Guid.NewGuid().ToString();
        var name = Names.New();
        var node = await Api.CreateNodeAsync(new JsonObject
        {
            ["uuid"] = uuid,
            ["name"] = name,
            ["driver_info"] = new JsonObject { ["ipmi_address"] = "10.0.0.1", ["ipmi_port"] = 16390 },
            ["properties"] = new JsonObject { ["cpus"] = 4, ["memory_mb"] = 1024 },
            ["resource_class"] = "baremetal",
            ["extra"] = new JsonObject { ["note"] = "hi" },
        });
        Assert.Multiple(() =>
        {
            Assert.That(Uuid(node), Is.EqualTo(uuid));
            Assert.That(Name(node), Is.EqualTo(name));
            Assert.That(node["driver_info"]?.ToJsonString(), Is.EqualTo("{\"ipmi_address\":\"10.0.0.1\",\"ipmi_port\":16390}"));
            Assert.That(node["properties"]?.ToJsonString(), Is.EqualTo("{\"cpus\":4,\"memory_mb\":1024}"));
            Assert.That(node["resource_class"]?.GetValue<string>(), Is.EqualTo("baremetal"));
            Assert.That(node["extra"]?["note"]?.GetValue<string>(), Is.EqualTo("hi"));
        });
    }

    [Test]
    public async Task States_has_ironics_shape()
    {
        var node = await Api.CreateNodeAsync();
        var states = (await Api.GetAsync($"/v1/nodes/{Name(node)}/states")).Object;
        var expected = JsonNode.Parse("""
            {"console_enabled":false,"last_error":null,"power_state":null,"provision_state":"enroll",
             "target_power_state":null,"target_provision_state":null,"provision_updated_at":null,"raid_config":{},
             "target_raid_config":{},"boot_mode":null,"secure_boot":null}
            """)!.AsObject();
        Assert.That(Keys(states), Is.EqualTo(Keys(expected)));
        foreach (var (key, value) in expected)
            Assert.That(JsonNode.DeepEquals(states[key], value), Is.True, $"{key}: {states[key]?.ToJsonString()}");
    }
}
